"""Task runners: in this process, or on a Dask cluster (a LocalCluster or a scheduler address).

Results do not depend on the runner: every task carries its own seed (see
``compute/ensemble.py``), so a run on Dask equals the same run in-process.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from distributed import Client

T = TypeVar("T")
R = TypeVar("R")


class InProcessRunner:
    """Runs the tasks one after the other in this process."""

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """``[fn(item) for item in items]``."""
        return [fn(item) for item in items]


class DaskRunner:
    """Runs the tasks on a Dask cluster through a ``distributed.Client``.

    Give an existing client, or a scheduler address (``tcp://host:8786``) to connect to;
    ``DaskRunner.local()`` starts a LocalCluster. Close with :meth:`close` (or use ``with``).
    """

    def __init__(self, client: Client, *, owned: bool = False) -> None:
        self.client = client
        self._owned = owned

    @classmethod
    def connect(cls, address: str) -> DaskRunner:
        """A runner on the scheduler at ``address``."""
        from distributed import Client

        return cls(Client(address), owned=True)  # type: ignore[no-untyped-call]  # dask is untyped

    @classmethod
    def local(cls, *, n_workers: int = 2, processes: bool = True, **kwargs: Any) -> DaskRunner:
        """A runner on a new LocalCluster (``processes=False``: threads in this process)."""
        from distributed import Client, LocalCluster

        cluster = LocalCluster(  # type: ignore[no-untyped-call]  # dask is untyped
            n_workers=n_workers, processes=processes, dashboard_address=None, **kwargs
        )
        return cls(Client(cluster), owned=True)  # type: ignore[no-untyped-call]

    def map(self, fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
        """Submit every task, gather the results in order."""
        # pure=False: tasks with equal arguments are still run (each is an ensemble chunk).
        futures = self.client.map(fn, list(items), pure=False)
        return list(self.client.gather(futures))  # type: ignore[no-untyped-call]

    def close(self) -> None:
        """Close the client (and the cluster it started)."""
        if self._owned:
            cluster = self.client.cluster
            self.client.close()  # type: ignore[no-untyped-call]
            if cluster is not None:
                cluster.close()

    def __enter__(self) -> DaskRunner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
