// The one translation unit that compiles Boost.Asio (BOOST_ASIO_SEPARATE_COMPILATION), so the
// other files only parse its declarations and builds stay tolerable on small machines.
#include <boost/asio/impl/src.hpp>
