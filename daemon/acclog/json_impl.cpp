// Boost.JSON compiled once for the whole project (its header-only mode): every other file
// includes <boost/json.hpp> only. Any target that uses Boost.JSON links sluice_acclog.
#include <boost/json/src.hpp>
