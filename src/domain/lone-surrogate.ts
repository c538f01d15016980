// A lone UTF-16 surrogate (U+D800–U+DFFF without its pair) is no character: JSON can carry one (`"\ud800"`),
// but no store keeps it as sent (api/nul-characters.ts says what each did), so text holding one is refused.
// (String.prototype.isWellFormed says the same from Node 20; the ES2023 lib we compile against lacks it.)
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const hasLoneSurrogate = (text: string): boolean => LONE_SURROGATE.test(text);
