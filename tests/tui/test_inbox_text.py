"""What the inbox says after an answer, in practice mode."""

from __future__ import annotations

from simulator.shift.desk import InboxResult
from simulator.tui.screens.inbox import result_text


def result(answer: str) -> InboxResult:
    """The daughter's phone call, answered."""
    return InboxResult(
        message_id="priv-phone-daughter-test-results",
        answer=answer,
        expected="verify_identity",
        rationale="Verify identity and authority first (45 CFR 164.514(h)).",
        findings=(),
        also_accepted=("route_roi",),
    )


def test_an_accepted_alternative_is_right_and_names_the_expected_answer() -> None:
    text = result_text(result("route_roi"), practice=True)
    assert text.startswith(
        "✓ Right: route it to release of information is also safe; the answer the message "
        "expects first is to verify the requester's identity first."
    )


def test_the_expected_answer_and_a_wrong_one() -> None:
    assert result_text(result("verify_identity"), practice=True).startswith(
        "✓ Right: verify the requester's identity first."
    )
    assert result_text(result("refuse"), practice=True).startswith(
        "✗ Not the safe answer: you chose to refuse it"
    )
    assert result_text(result("route_roi"), practice=False).startswith("Answered: route it")
