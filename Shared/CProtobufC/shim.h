// The C API of libprotobuf-c, seen from Swift through this module.
#include <protobuf-c/protobuf-c.h>
