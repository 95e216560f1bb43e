package gguf

import (
	"bytes"
	"fmt"
	"log"

	"github.com/atelier-dev/atelier/internal/tensor"
)

func Example() {
	b := NewBuilder()
	b.Set("general.architecture", "llama")
	b.Set("llama.context_length", uint32(2048))
	b.Set("tokenizer.ggml.tokens", []string{"<unk>", "<s>", "</s>"})
	if err := b.AddTensor("output_norm.weight", tensor.F32, []int64{2}, make([]byte, 8)); err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := b.WriteTo(&buf); err != nil {
		log.Fatal(err)
	}

	f, err := Parse(buf.Bytes(), "tiny.gguf") // or Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	ctx, _ := f.Uint("llama.context_length") // any integer width
	tokens, _ := f.Strings("tokenizer.ggml.tokens")
	norm, _ := f.Tensor("output_norm.weight")
	fmt.Println(f.Architecture(), ctx, len(tokens))
	fmt.Println(norm.Name, norm.Type, norm.Dims, len(f.TensorData(norm)))
	// Output:
	// llama 2048 3
	// output_norm.weight F32 [2] 8
}
