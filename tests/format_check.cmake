# Fails when a C or C++ source file differs from .clang-format, as Debian 12's clang-format-14
# formats it (a newer clang-format formats some constructs differently). Fix a report with
#   clang-format-14 -i FILE
find_program(CLANG_FORMAT clang-format-14)
if(NOT CLANG_FORMAT)
  message(FATAL_ERROR "clang-format-14 not found: contrib/install-deps installs it")
endif()
set(files)
foreach(dir bench common daemon fuzz policy tests)
  file(GLOB_RECURSE found ${SOURCE_DIR}/${dir}/*.cpp ${SOURCE_DIR}/${dir}/*.hpp
       ${SOURCE_DIR}/${dir}/*.h ${SOURCE_DIR}/${dir}/*.c)
  list(APPEND files ${found})
endforeach()
execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror --style=file ${files}
                WORKING_DIRECTORY ${SOURCE_DIR} RESULT_VARIABLE rc ERROR_VARIABLE report)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${report}\nthese files differ from .clang-format: run clang-format-14 -i on them")
endif()
list(LENGTH files count)
message(STATUS "${count} files match .clang-format")
