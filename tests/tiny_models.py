"""Tiny BERT models built in tests with transformers + tokenizers (no hub, no download): a word-level tokenizer over
a dozen words and a one-layer encoder of width 16, and a few labeled sentiment examples to train one on."""

from tokenizers import Tokenizer, models, pre_tokenizers
from transformers import BertConfig, PreTrainedTokenizerFast

WORDS = "i love great wonderful happy hate awful terrible broken bad the phone it is was this my".split()
EXAMPLES = [("i love this phone", 2), ("this is wonderful", 2), ("great phone", 2), ("i am happy", 2),
            ("i hate this phone", 0), ("it is broken", 0), ("awful phone", 0), ("this is terrible", 0),
            ("the phone", 1), ("it is the phone", 1), ("this is my phone", 1), ("it was the phone", 1)]


def tiny_tokenizer() -> PreTrainedTokenizerFast:
    """A word-level tokenizer over WORDS, with BERT's special tokens."""
    vocab = {word: index for index, word in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", *WORDS])}
    core = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=core, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]")


def tiny_config(labels: dict[int, str]) -> BertConfig:
    """A one-layer BERT of width 16 over tiny_tokenizer()'s vocabulary."""
    return BertConfig(vocab_size=len(tiny_tokenizer().get_vocab()), hidden_size=16, num_hidden_layers=1,
                      num_attention_heads=2, intermediate_size=32, max_position_embeddings=32, num_labels=len(labels),
                      id2label=labels, label2id={name: index for index, name in labels.items()})
