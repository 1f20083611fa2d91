// The one translation unit that compiles Boost.Asio's SSL layer (BOOST_ASIO_SEPARATE_COMPILATION),
// kept apart from asio_impl.cpp so only targets that do TLS link OpenSSL.
#include <boost/asio/ssl/impl/src.hpp>
