#include "rules.h"

#include <stdlib.h>
#include <string.h>

#include "i18n.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* TRANSLATORS: the titles are the Digital Agency's; translate each with the Agency's own
 * Japanese title, word for word (machine-readability-rules.json) */
static const kp_rule_text rules[] = {
    {"L1-01", N_("Is the file in a format a machine reads directly, such as Excel or CSV?"),
     N_("Publish tables as xlsx, CSV, XML, ODS or JSON, not as PDF or Word documents.")},
    {"L1-02", N_("Does one sheet (file) hold no more than one table?"),
     N_("Put one table on a sheet, and in a CSV one table per file.")},
    {"L1-03", N_("Is the data kept in one piece?"),
     N_("Do not split the data with blank rows or columns, or with repeated headers.")},
    {"L1-04", N_("Is there nothing unrelated to the data itself?"),
     N_("Keep notes and remarks out of the table: they belong in the dataset's description.")},
    {"L1-05", N_("Does every column have a label whose meaning can be guessed?"),
     N_("Give every column a name that says what it holds.")},
    {"L1-06", N_("Is the layout not arranged with spaces or line breaks?"),
     N_("Do not use spaces or line breaks to arrange how the text looks.")},
    {"L1-07", N_("Does each cell hold one piece of data?"),
     N_("One value per cell: put several values in rows or columns of their own.")},
    {"L1-08", N_("Are platform-dependent characters avoided?"),
     N_("Avoid characters that only some systems show (circled numbers, half-width katakana and the like), except in proper nouns.")},
    {"L1-09", N_("Are blanks and zeros clearly told apart?"),
     N_("A blank (no data) and 0 (zero) must mean different things.")},
    {"L1-10", N_("[Excel] Are objects not used?"),
     N_("Do not put images, shapes or text boxes over the table.")},
    {"L1-11", N_("[Excel] Are differences in the data not expressed by formatting?"),
     N_("Do not let bold, italics or colours carry meaning: say it in a column.")},
    {"L1-12", N_("[Excel] Are cells not merged?"),
     N_("Do not merge cells: a merged range keeps its value in one cell only.")},
    {"L1-13", N_("[Excel] Are no unneeded rows or columns left hidden?"),
     N_("Hidden rows, columns and sheets are still published: remove or show them.")},
    {"L1-14", N_("[CSV] Is each record on one line?"),
     N_("Keep each record on one line: no line breaks inside values.")},
    {"L1-15", N_("[CSV] Are values holding a comma enclosed in double quotes (\")?"),
     N_("A value with a comma must be quoted, and a quote inside it doubled.")},
    {"L2-01", N_("Numeric data is numeric and holds no text"),
     N_("A number column holds numbers only: units, digit-group commas and footnote marks go to columns of their own.")},
    {"L2-02", N_("Are labels and other values not omitted in the data?"),
     N_("Write every value in full, even when it repeats the row above.")},
    {"L2-03", N_("Does every column have a label that identifies it uniquely?"),
     N_("Column names are unique and fit on one header row.")},
    {"L2-04", N_("Are choice answers standardised?"),
     N_("Write each choice one way: a code or one spelling.")},
    {"L2-05", N_("Is the detail of \"other\" kept apart from the choice column?"),
     N_("Put the detail of an \"other\" answer in a column of its own.")},
    {"L2-06", N_("[Excel] Are formulas replaced by numeric data?"),
     N_("Publish the values of formulas, not the formulas.")},
    {"L3-01", N_("Does the table start with the label row, with data from the next row?"),
     N_("The first row holds the labels and the data starts on the second: no title or blank rows first.")},
    {"L3-02", N_("Is the code table for coded answers attached?"),
     N_("When a column holds codes, publish the list of what each code means.")},
    {"L3-03", N_("When special marks (such as for suppressed values) are used in a numeric column, is their definition stated?"),
     N_("Define every special mark used in a number column.")},
    {"L3-04", N_("Is the unit of the data stated?"),
     N_("Say the unit of every quantity, in its label or in its description.")},
    {"L3-05", N_("Is the notation of the time axis standardised?"),
     N_("Write dates and years one way: the Western calendar (ISO 8601), or the Japanese era beside it.")},
    {"L3-06", N_("Are area codes or the official area names written?"),
     N_("Name areas by the standard area code for statistics, or by their full official names.")},
    {"L3-07", N_("Is the format not markedly different from year to year?"),
     N_("Keep the layout from one year to the next; when it changes, say how.")},
    {"L3-08", N_("Are the definitions of the data and its history of changes stated?"),
     N_("Describe each column, how it is made, its source and its changes, and the CSV's encoding and byte order mark.")},
    {"L3-09", N_("Is the data in long format?"),
     N_("One observation per row: years or months as the values of a column, not as columns.")},
};

const kp_rule_text *kp_rules_find(const char *id)
{
	for (size_t i = 0; id && i < NELEM(rules); i++)
		if (strcmp(rules[i].id, id) == 0)
			return &rules[i];
	return NULL;
}

const kp_rule_text *kp_rules_at(unsigned i)
{
	return i < NELEM(rules) ? &rules[i] : NULL;
}

const char *kp_rules_title(const kp_rule_text *r)
{
	return r ? _(r->title) : "";
}

const char *kp_rules_summary(const kp_rule_text *r)
{
	return r ? _(r->summary) : "";
}

/* Sorted by code (bsearch). */
static const struct {
	const char *code, *name;
} codes[] = {
    {"bad-package", N_("the package cannot be published")},
    {"blank-label", N_("a column without a label")},
    {"blank-row", N_("blank rows")},
    {"blank-vs-zero", N_("blanks and zeros mixed up")},
    {"bom", N_("a byte order mark")},
    {"byte-count", N_("a size that differs from the package")},
    {"chart-sheet", N_("a chart sheet")},
    {"choice-variant", N_("a choice written more than one way")},
    {"comment", N_("cell comments")},
    {"constraint-error", N_("a value outside the schema's constraints")},
    {"control-char", N_("invisible control characters")},
    {"corporate-number", N_("a wrong 法人番号")},
    {"date-as-text", N_("dates typed as text")},
    {"duplicate-label", N_("a label used twice")},
    {"encoding", N_("a file not in UTF-8")},
    {"encoding-error", N_("bytes that are not valid text")},
    {"extra-cell", N_("a row with extra cells")},
    {"extra-label", N_("a column the schema does not have")},
    {"file-format", N_("a file a machine cannot read")},
    {"foreign-key", N_("a reference to a missing row")},
    {"format-as-meaning", N_("formatting that carries meaning")},
    {"formula", N_("formulas")},
    {"formula-error", N_("formula errors")},
    {"fullwidth-alnum", N_("full-width letters and digits")},
    {"halfwidth-kana", N_("half-width katakana")},
    {"hash-count", N_("a SHA-256 that differs from the package")},
    {"hidden-column", N_("hidden columns")},
    {"hidden-row", N_("hidden rows")},
    {"hidden-sheet", N_("a hidden sheet")},
    {"incorrect-label", N_("a label that differs from the schema")},
    {"label-variant", N_("a label spelled differently from the schema")},
    {"lg-code", N_("a wrong 全国地方公共団体コード")},
    {"lg-name", N_("a wrong 地方公共団体名")},
    {"line-break", N_("line breaks in cells")},
    {"line-break-in-cell", N_("a record spread over several lines")},
    {"line-endings", N_("mixed line endings")},
    {"list-separator", N_("list values joined the wrong way")},
    {"lossy-char", N_("characters lost in a conversion")},
    {"macros", N_("macros")},
    {"merged-cell", N_("merged cells")},
    {"missing-cell", N_("a row with missing cells")},
    {"missing-label", N_("a column the schema needs")},
    {"multi-row-header", N_("a header over several rows")},
    {"multiple-values", N_("several values in one cell")},
    {"no-unit", N_("numbers without a unit")},
    {"note-row", N_("notes below the table")},
    {"number-as-text", N_("numbers stored as text")},
    {"number-with-unit", N_("numbers mixed with text")},
    {"numbered-labels", N_("labels that are only numbers")},
    {"object", N_("objects over the table")},
    {"omitted-value", N_("values left out as \"same as above\"")},
    {"other-detail", N_("the detail of \"other\" in the same cell")},
    {"padding-space", N_("spaces used for layout")},
    {"platform-dependent-char", N_("platform-dependent characters")},
    {"primary-key", N_("a repeated primary key")},
    {"recommended-empty", N_("a recommended column left empty")},
    {"repeat-mark", N_("marks that stand for the value above")},
    {"repeated-header", N_("a repeated header")},
    {"rule-error", N_("a row against the schema's rules")},
    {"schema-error", N_("a problem in the schema")},
    {"second-table", N_("a second table")},
    {"source-error", N_("a file that cannot be read")},
    {"stopped-early", N_("a check stopped early")},
    {"stray-quote", N_("a stray quote")},
    {"text-in-number-column", N_("text in a number column")},
    {"title-row", N_("a title above the header")},
    {"type-error", N_("a value of the wrong type")},
    {"unclosed-quote", N_("an unclosed quote")},
    {"unique-error", N_("a repeated value where each must be unique")},
    {"wide-format", N_("years as columns (wide format)")},
    {"workbook-error", N_("a damaged workbook")},
};

static int by_code(const void *k, const void *e)
{
	return strcmp(k, *(const char *const *)e);
}

const char *kp_rules_code_name(const char *code)
{
	const void *hit = code ? bsearch(code, codes, NELEM(codes), sizeof codes[0], by_code) : NULL;
	return hit ? _(((const char *const *)hit)[1]) : code ? code : "";
}

const char *kp_rules_source(void)
{
	return _("Rule titles: the Digital Agency, \"Rules on machine readability of government "
		 "data\" (PDL 1.0).");
}
