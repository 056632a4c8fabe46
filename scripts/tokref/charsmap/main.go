// Command charsmap prints, base64-encoded, SentencePiece's nmt_nfkc normalisation table as
// github.com/sugarme/tokenizer/spm ships it (Apache-2.0; the "precompiled_charsmap" of the
// SentencePiece models of ALBERT and XLM-RoBERTa). scripts/tokref/fixtures.mjs embeds it in the
// reduced ALBERT and XLM-R tokenizer.json fixtures.
//
//	go run ./scripts/tokref/charsmap > /tmp/nmt_nfkc.b64
package main

import (
	"encoding/base64"
	"fmt"

	"github.com/sugarme/tokenizer/spm"
)

func main() { fmt.Println(base64.StdEncoding.EncodeToString(spm.NmtNfkc())) }
