#include "TradewindProto.h"
