#ifndef ATHENA_CCURL_SHIM_H
#define ATHENA_CCURL_SHIM_H
#include <curl/curl.h>
#endif
