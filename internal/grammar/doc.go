// Package grammar constrains generation to a formal language, so that a
// model's output is well-formed by construction: JSON that satisfies a
// schema, a tool call that names a tool on offer with valid arguments.
//
// Grammars are written in llama.cpp's GBNF notation (Parse), or made from
// a JSON Schema (SchemaGBNF, ParseSchema) or from the tools offered to a
// model in its family's call syntax (ToolCallGBNF). A Grammar compiles to
// a pushdown automaton over bytes: character classes match Unicode code
// points one UTF-8 byte at a time, so a character split across tokens is
// followed exactly. Left-recursive grammars are refused.
//
// A Matcher follows text through a grammar. For generation, Tokens
// indexes a vocabulary once per model (a trie of the tokens' bytes), and a
// Constraint or a Lazy satisfies the engine's constraint hook:
//
//   - Allows(token) checks the sampled token by walking its bytes through
//     the parse stacks (the common case: well under a microsecond);
//   - Mask(logits), called only when the sample is refused, walks the
//     trie with the stacks and prunes every branch no continuation fits
//     (a fraction of a millisecond between JSON tokens, more inside a
//     string; recent states' masks are cached);
//   - end-of-generation tokens are allowed only where the grammar can end;
//   - Done reports that nothing but the end can follow;
//   - Remaining, Fits and Close (the engine's Closer) finish the output
//     within a token budget: Remaining is the fewest bytes that complete
//     it, from a static analysis of the grammar's shortest derivations;
//     near the cap, only tokens that leave room to complete it are kept,
//     so a cap never cuts a call or a value short.
//
// Lazy leaves text free until a trigger (such as "<tool_call>") appears,
// holds the output to the grammar from the trigger on, and frees it again
// when the grammar's sentence is complete.
package grammar
