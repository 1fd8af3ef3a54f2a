// The C API of hiredis, seen from Swift through this module.
#include <hiredis/hiredis.h>
