// The C API of libpq, seen from Swift through this module.
#include <libpq-fe.h>
