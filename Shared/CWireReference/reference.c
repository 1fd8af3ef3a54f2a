#include "CWireReference.h"
