/* cast — work in progress: the API in cast.h is stable; bodies follow. */
#include "cast.h"
#include "schema.h"

#include <string.h>

static const char *const type_names[KP_TYPE_COUNT_] = {
	[KP_TYPE_ANY] = "any", [KP_TYPE_STRING] = "string", [KP_TYPE_INTEGER] = "integer",
	[KP_TYPE_NUMBER] = "number", [KP_TYPE_BOOLEAN] = "boolean", [KP_TYPE_DATE] = "date",
	[KP_TYPE_TIME] = "time", [KP_TYPE_DATETIME] = "datetime", [KP_TYPE_YEAR] = "year",
	[KP_TYPE_YEARMONTH] = "yearmonth", [KP_TYPE_DURATION] = "duration",
	[KP_TYPE_GEOPOINT] = "geopoint", [KP_TYPE_GEOJSON] = "geojson", [KP_TYPE_OBJECT] = "object",
	[KP_TYPE_ARRAY] = "array", [KP_TYPE_LIST] = "list",
};

const char *kp_cast_type_name(kp_type t)
{
	return (unsigned)t < KP_TYPE_COUNT_ ? type_names[t] : "any";
}

int kp_cast_type_parse(const char *name, kp_type *t)
{
	for (unsigned i = 0; i < KP_TYPE_COUNT_; i++)
		if (strcmp(name, type_names[i]) == 0) {
			*t = (kp_type)i;
			return 0;
		}
	return -1;
}
