"""The engine-side runaway stop, on the real default model forced to loop by a grammar.

A prompt that makes the model loop is a property of one model build on one machine; a
grammar that admits nothing but "no no no ..." makes the loop certain, so what is tested
is the stop itself: the stream is closed long before the token budget is spent.
"""

from __future__ import annotations

from daemon.config import Settings
from daemon.llm.service import LLMService
from daemon.llm.types import GenerationParams
from daemon.models.registry import ModelRegistry
from daemon.paths import Paths
from daemon.rewrite.generate import async_generate
from daemon.sandbox.loaders import llm_loader

BUDGET = 256
LOOP = 'root ::= "no" (" no")*'


async def test_a_looping_generation_is_stopped_long_before_its_budget() -> None:
    settings = Settings()
    llm = LLMService(settings.llm, ModelRegistry(Paths.from_env()), llm_loader(settings))
    params = GenerationParams(temperature=0.0, top_p=1.0, max_tokens=BUDGET, grammar=LOOP)
    messages = [{"role": "user", "content": "Proofread: the patient denies pain."}]
    try:
        generation = await async_generate(llm, messages, params, None)
    finally:
        await llm.async_unload_all()
    words = generation.text.split()
    assert generation.runaway is True
    # Stopped mid-word at times: the grammar also admits "no" as "n" then "o".
    assert set(words[:-1]) <= {"no"} and "no".startswith(words[-1]), generation.text
    # Each "no" is at least one token: a stream that ran to its budget would hold BUDGET.
    assert len(words) < BUDGET // 4
