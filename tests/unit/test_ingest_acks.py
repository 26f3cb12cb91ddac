"""In-order acknowledgement: completions in any order, releases in arrival order, each exactly once."""

from __future__ import annotations

import random
import threading

from tracking.ingest.acks import AckLedger


def test_a_done_message_waits_for_every_earlier_one():
    ledger: AckLedger[str] = AckLedger()
    a, b, c = (ledger.add(token) for token in ("a", "b", "c"))
    ledger.done([b, c])  # rejected at once; "a" is still being written
    assert ledger.release() == []
    ledger.done([a])
    assert ledger.release() == ["a", "b", "c"]
    assert ledger.release() == []
    assert ledger.pending() == 0


def test_unknown_and_repeated_completions_are_ignored():
    ledger: AckLedger[int] = AckLedger()
    first = ledger.add(10)
    ledger.done([first, first, 999])
    assert ledger.release() == [10]
    ledger.done([first])  # already released: nothing comes back twice
    second = ledger.add(11)
    assert ledger.release() == []
    ledger.done([second])
    assert ledger.release() == [11]


def test_concurrent_completions_release_every_token_once_in_order():
    ledger: AckLedger[int] = AckLedger()
    seqs = [ledger.add(token) for token in range(5000)]
    shuffled = seqs[:]
    random.Random(4).shuffle(shuffled)
    released: list[int] = []
    lock = threading.Lock()

    def finish(part: list[int]) -> None:
        for seq in part:
            ledger.done([seq])
            with lock:  # the callers serialise release + send, as the ingest code does
                released.extend(ledger.release())

    threads = [threading.Thread(target=finish, args=(shuffled[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert released == list(range(5000))
