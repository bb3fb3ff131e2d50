// The peer for bench-validate.sh: the npm `tableschema` package (tableschema-js) reads a
// CSV and casts every row against a Table Schema, streaming.  Prints "rows errors seconds".
// usage: node peer-tableschema.js SCHEMA.json DATA.csv [MAX_ROWS]
'use strict';
const fs = require('fs');
const { Table } = require('tableschema');

async function main() {
	const [schemaPath, csvPath, maxArg] = process.argv.slice(2);
	const max = maxArg ? parseInt(maxArg, 10) : Infinity;
	const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
	// The peer checks types and constraints of single rows; keys are outside its iter().
	delete schema.primaryKey;
	delete schema.foreignKeys;
	// tableschema-js matches header cells to field names only; the table's header holds
	// the Japanese titles, so the titles become the names (casting is unchanged).
	for (const f of schema.fields) if (f.title) f.name = f.title;
	const t0 = process.hrtime.bigint();
	const table = await Table.load(csvPath, { schema, headers: 1 });
	const stream = await table.iter({ cast: true, stream: true, forceCast: true });
	let rows = 0, errors = 0;
	const report = () => {
		const secs = Number(process.hrtime.bigint() - t0) / 1e9;
		console.log(`${rows} ${errors} ${secs.toFixed(3)}`);
		process.exit(0);
	};
	// the package's streams predate async iteration: use the events
	stream.on('data', (row) => {
		rows++;
		if (row instanceof Error) errors++;
		if (rows >= max) report();
	});
	stream.on('end', report);
	stream.on('error', (e) => { console.error(String(e)); process.exit(1); });
}
main().catch((e) => { console.error(e && e.stack || String(e)); process.exit(1); });
