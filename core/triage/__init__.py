"""Complaint triage: classify a message and extract its diagnostic details.

Importing is cheap; the model file is loaded on the first classification.
"""

from __future__ import annotations

from core.triage.classifier import Classifier, Verdict, classify
from core.triage.extract import extract_details
from core.triage.scope import others_affected

__all__ = ["Classifier", "Verdict", "classify", "extract_details", "others_affected"]
