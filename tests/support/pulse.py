"""The tests' PulseAudio is the benchmark's: one implementation of the virtual microphone."""

from daemon.bench.desktop import MICROPHONE, SPEAKER, PulseAudio

__all__ = ["MICROPHONE", "SPEAKER", "PulseAudio"]
