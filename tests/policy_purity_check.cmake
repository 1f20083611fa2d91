# Fails if anything under POLICY_DIR (policy/, daemon/queue/core/) reaches for I/O, threads or the
# clock (docs/ARCHITECTURE.md).
file(GLOB_RECURSE files ${POLICY_DIR}/*.hpp ${POLICY_DIR}/*.cpp)
set(forbidden
  "#include <boost/asio" "#include <boost/beast" "#include <thread>" "#include <mutex>"
  "#include <sys/socket.h>" "#include <netdb.h>" "_clock::now" "std::thread" "std::rand"
  "#include <fstream>")
foreach(f ${files})
  file(READ ${f} text)
  foreach(pattern ${forbidden})
    string(FIND "${text}" "${pattern}" at)
    if(NOT at EQUAL -1)
      message(SEND_ERROR "${f}: forbidden in a pure library: ${pattern}")
    endif()
  endforeach()
endforeach()
