from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omsctl.domain.errors import IllegalTransition
from omsctl.domain.lifecycle import ALLOWED, TERMINAL, State, transition

AT = datetime(2026, 11, 20, tzinfo=UTC)
PAIRS = [(a, b) for a in State for b in State]


@pytest.mark.parametrize(("current", "target"), PAIRS, ids=lambda s: s.value)
def test_every_pair_of_states_is_allowed_exactly_when_the_table_says_so(current, target):
    if target in ALLOWED[current]:
        entry = transition("#1", current, target, action="x", actor="ana", at=AT)
        assert (entry.from_state, entry.to_state, entry.actor) == (current, target, "ana")
    else:
        with pytest.raises(IllegalTransition):
            transition("#1", current, target, action="x", actor="ana", at=AT)


def test_a_refused_transition_names_the_order_its_state_and_where_it_could_go():
    with pytest.raises(IllegalTransition) as refused:
        transition("#1001", State.SHIPPED, State.CANCELLED, action="cancel", actor="ana", at=AT)
    assert str(refused.value) == (
        "order #1001 is shipped and cannot become cancelled; "
        "from shipped it can become: delivered, exception, returned"
    )


def test_final_states_say_so_when_asked_to_move():
    with pytest.raises(IllegalTransition, match=r"nothing \(it is final\)"):
        transition("#9", State.CANCELLED, State.APPROVED, action="approve", actor="ana", at=AT)
    assert {State.CANCELLED, State.MERGED, State.RETURNED} == TERMINAL


@given(st.lists(st.sampled_from(list(State)), max_size=40))
def test_any_sequence_of_requests_keeps_a_legal_state_and_one_entry_per_change(targets):
    state, history = State.NEW, []
    for target in targets:
        try:
            history.append(transition("#1", state, target, action="x", actor="a", at=AT))
        except IllegalTransition:
            continue
        state = target
    assert state in ALLOWED
    replay = State.NEW
    for entry in history:
        assert entry.from_state == replay and entry.to_state in ALLOWED[replay]
        replay = entry.to_state
    assert replay == state
