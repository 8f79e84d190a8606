#ifndef SOAPTAPE_CZLIB_SHIM_H
#define SOAPTAPE_CZLIB_SHIM_H
#include <zlib.h>
#endif
