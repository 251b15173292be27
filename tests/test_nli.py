"""The NLI backend's loading and scoring code, on a tiny model this test builds itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import ConfigError
from rag.verify.nli import NliScorer, support_label_ids


def test_support_labels_are_found_by_name() -> None:
    assert support_label_ids({0: "ENTAILMENT", 1: "NEUTRAL", 2: "CONTRADICTION"}) == [0]
    assert support_label_ids({0: "not_supported", 1: "supported"}) == [1]
    assert support_label_ids({0: "LABEL_0", 1: "LABEL_1"}) == [1]
    with pytest.raises(ConfigError):
        support_label_ids({0: "a", 1: "b", 2: "c"})


def test_missing_folder_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SOURCEBRIEF_NLI_MODEL_PATH"):
        NliScorer(tmp_path / "nothing")


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer BERT classifier with a word-level tokenizer, saved as a Hugging Face folder."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from tokenizers.processors import TemplateProcessing
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-nli")
    words = "[PAD] [UNK] [CLS] [SEP] russia deployed troops in 2020 the kremlin said peace talks".split()
    core = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    core.post_processor = TemplateProcessing(single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B [SEP]",
                                             special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=core, pad_token="[PAD]", unk_token="[UNK]",
                                        cls_token="[CLS]", sep_token="[SEP]")
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(words), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64, num_labels=3,
                        id2label={0: "entailment", 1: "neutral", 2: "contradiction"},
                        label2id={"entailment": 0, "neutral": 1, "contradiction": 2})
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_tiny_model_loads_and_scores(tiny_model: Path) -> None:
    scorer = NliScorer(tiny_model, max_length=16)
    assert scorer.support_ids == [0]
    pairs = [("russia deployed troops", "russia deployed troops in 2020"),
             ("the kremlin said", "peace talks " * 40)]  # long premise: truncated, not an error
    batch = scorer.probabilities(pairs)
    assert len(batch) == 2 and all(0.0 <= p <= 1.0 for p in batch)
    assert abs(scorer.probability(*pairs[0]) - batch[0]) < 1e-5  # padding does not change a score
    assert scorer.name == f"nli:{tiny_model.name}"
