/* libFuzzer target: the plan document parser and the table builders. */
#include <stddef.h>
#include <stdint.h>

#include "../../src/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	kp_plan plan;
	kp_diag err;
	if (kp_plan_parse((const char *)data, size, "fuzz.md", &plan, &err) == 0) {
		kp_plan_table t;
		if (kp_plan_build_items(&plan, "172014", "x", &t) == 0)
			kp_plan_table_release(&t);
		if (kp_plan_build_targets(&plan, &t) == 0)
			kp_plan_table_release(&t);
		if (kp_plan_build_glossary(&plan, &t) == 0)
			kp_plan_table_release(&t);
		kp_plan_release(&plan);
	}
	return 0;
}
