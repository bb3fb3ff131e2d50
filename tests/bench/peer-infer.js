// The peer for bench-describe.sh: tableschema-js (npm `tableschema`) infers a Table
// Schema from a CSV file, over `limit` rows (its default is 100; here every row of the
// file given, as kplan-describe does).  Prints "rows fields seconds".
// usage: node peer-infer.js DATA.csv ROWS
'use strict';
const { infer } = require('tableschema');

async function main() {
	const [csvPath, rowsArg] = process.argv.slice(2);
	const limit = parseInt(rowsArg, 10);
	const t0 = process.hrtime.bigint();
	const descriptor = await infer(csvPath, { headers: 1, limit });
	const secs = Number(process.hrtime.bigint() - t0) / 1e9;
	console.log(`${limit} ${descriptor.fields.length} ${secs.toFixed(3)}`);
}
main().catch((e) => { console.error(e && e.stack || String(e)); process.exit(1); });
