"""Synthetic data: a small realistic province for sample_data/ (with the truth of what
was planted in it) and provincial-scale sets for the benchmark. Synthetic people only."""

from fanpin.samples.generate import SampleResult, build_sample, generate_sample
from fanpin.samples.scale import ScaleResult, build_scale, generate_scale

__all__ = [
    "SampleResult",
    "ScaleResult",
    "build_sample",
    "build_scale",
    "generate_sample",
    "generate_scale",
]
