"""A rescan shared among worker processes through a queue in the store (``rescan --worker``)."""

from scanner.rescan_queue.worker import WorkerReport, WorkerSettings, follow_rescans, work_rescan

__all__ = ["WorkerReport", "WorkerSettings", "follow_rescans", "work_rescan"]
