#ifndef SOAPTAPE_CLIBXML2_SHIM_H
#define SOAPTAPE_CLIBXML2_SHIM_H
// Debian's libxml2 is built with ICU, whose headers clash with the copy of ICU inside Foundation.
// soaptape never touches libxml2's ICU converters (they sit behind pointers in its structs), so the
// ICU parts of libxml2's headers are left out.
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#endif
