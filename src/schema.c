/* schema — work in progress: the API in schema.h is stable; bodies follow. */
#include "schema.h"
