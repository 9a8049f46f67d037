"""The transports' shared parts (server/outbox.py): frames kept until acknowledged, the state."""
import pytest

from webio_desktop.server.outbox import (TRANSITIONS, AckWindow, ConnectionState,
                                         IllegalTransition, LinkState)


def test_frames_are_numbered_from_one_and_kept_until_acknowledged():
    window = AckWindow()
    assert [window.add(frame) for frame in ("[1]", "[22]", "[333]")] == [1, 2, 3]
    assert list(window) == [(1, "[1]"), (2, "[22]"), (3, "[333]")]
    assert window.nbytes == 3 + 4 + 5

    window.ack(2)
    assert list(window) == [(3, "[333]")]
    assert (len(window), window.nbytes, window.sent) == (1, 5, 3)

    window.ack(1)  # an older acknowledgement (a retried poll) changes nothing
    window.ack(0)
    assert list(window) == [(3, "[333]")]
    assert window.add("[4]") == 4  # numbering goes on after acknowledgements


def test_acknowledging_beyond_the_last_frame_and_clearing_keep_nothing():
    window = AckWindow()
    window.add("[1]")
    window.add("[2]")
    window.ack(10)
    assert (list(window), window.nbytes) == ([], 0)
    window.add("[3]")
    window.clear()
    assert (len(window), window.nbytes, window.sent) == (0, 0, 3)


def test_a_connection_moves_through_its_life():
    state = ConnectionState("session x")
    assert state.now is LinkState.NEW
    for step in (LinkState.OPEN, LinkState.DETACHED, LinkState.OPEN, LinkState.OPEN,
                 LinkState.ENDED, LinkState.GONE):
        state.to(step)
        assert state.now is step
    assert state.now.over and LinkState.ENDED.over and not LinkState.DETACHED.over


@pytest.mark.parametrize("start, illegal", [
    (LinkState.GONE, LinkState.OPEN),  # a forgotten session can not be reconnected to
    (LinkState.GONE, LinkState.GONE),
    (LinkState.ENDED, LinkState.OPEN),  # an ended session never runs again
    (LinkState.ENDED, LinkState.DETACHED),
    (LinkState.DETACHED, LinkState.ENDED),  # a detached link closes by reconnecting or expiring
    (LinkState.NEW, LinkState.DETACHED),  # nothing to detach from
])
def test_an_illegal_transition_raises_and_keeps_the_state(start, illegal):
    state = ConnectionState("session y")
    state.now = start
    with pytest.raises(IllegalTransition, match=f"session y: can not go from {start.value} "
                                                f"to {illegal.value}"):
        state.to(illegal)
    assert state.now is start


def test_every_state_has_its_transitions_and_gone_is_final():
    assert set(TRANSITIONS) == set(LinkState)
    assert TRANSITIONS[LinkState.GONE] == frozenset()
    for state, targets in TRANSITIONS.items():
        if state is not LinkState.GONE:
            assert LinkState.GONE in targets  # the server can always forget a connection
