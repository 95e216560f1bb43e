// Package tokenizer turns text into token ids and back exactly as llama.cpp
// does for a GGUF vocabulary (tokenizer.ggml.* metadata).
//
// Supported are SentencePiece-style vocabularies (tokenizer.ggml.model
// "llama": Llama 2, TinyLlama, Phi-3, ...), byte-level BPE ("gpt2") with the
// pre-tokenizers of Qwen2/Qwen3 (qwen2), Qwen3.5 (qwen35), Llama 3
// (llama-bpe), DeepSeek Coder, StarCoder/SmolLM and GPT-2, and Gemma 4's
// SentencePiece-style BPE ("gemma4"). Anything else is refused with an error
// matching ErrUnsupported.
//
// Each pre-tokenizer is a hand-written scanner equivalent to the regular
// expression (or custom handler) llama.cpp uses for it, including the way
// llama.cpp's std::regex path sees non-ASCII text; Unicode categories come
// from Go's unicode tables, which may differ from llama.cpp's for code
// points assigned after Unicode 15.0.
//
// Like llama.cpp, Encode always recognizes user-defined tokens written in
// the text and recognizes control tokens only when asked; Decode
// concatenates token pieces and, for SentencePiece, drops the space the
// encoder put in front, so that Decode(Encode(s)) == s for valid UTF-8
// without special-token text (and, for SentencePiece vocabularies, without
// U+2581, which stands for a space). Decode does not apply llama.cpp's
// optional clean-up of spaces before punctuation.
//
// The BPE encoder caches the tokens of short words between calls; a
// Tokenizer is safe for concurrent use.
package tokenizer
