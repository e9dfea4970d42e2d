"""Choose CPU or CUDA and how many threads to use."""

from __future__ import annotations

import os
from typing import Literal

import psutil

DeviceName = Literal["cpu", "cuda"]


def physical_cores() -> int:
    """Physical cores: hyper-threads slow matrix work down rather than up."""
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


def cuda_available_for_ctranslate2() -> bool:
    """Whether CTranslate2 sees a CUDA device."""
    try:
        import ctranslate2

        return bool(ctranslate2.get_cuda_device_count() > 0)
    except Exception:
        return False


def cuda_available_for_llama() -> bool:
    """Whether the installed llama.cpp build can offload layers to a GPU."""
    try:
        import llama_cpp

        return bool(llama_cpp.llama_supports_gpu_offload())
    except Exception:
        return False


def resolve_llm_device(setting: str) -> DeviceName:
    """The device llama.cpp runs on for the `device` setting: "cuda" is taken at its
    word, "auto" asks whether the installed build can offload to a GPU."""
    if setting == "cuda" or (setting == "auto" and cuda_available_for_llama()):
        return "cuda"
    return "cpu"


def resolve_speech_device(setting: str) -> tuple[DeviceName, str]:
    """Device and compute type for faster-whisper from the `device` setting."""
    if setting == "cuda" or (setting == "auto" and cuda_available_for_ctranslate2()):
        return "cuda", "float16"
    return "cpu", "int8"
