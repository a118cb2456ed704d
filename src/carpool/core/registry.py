"""The unfinished events by id and by session, and the session subscriptions that fan messages out."""

from __future__ import annotations

from collections.abc import Sized

from carpool.core.messages import Message
from carpool.core.record import JobRecord
from carpool.core.subscription import Subscription

__all__ = ["JobTable"]


class JobTable:
    def __init__(self) -> None:
        self.jobs: dict[str, JobRecord] = {}
        self.sessions: dict[str, dict[str, JobRecord]] = {}
        self.subscriptions: dict[str, list[Subscription]] = {}

    def add(self, job: JobRecord) -> None:
        self.jobs[job.id] = job
        if job.session_id is not None:
            self.sessions.setdefault(job.session_id, {})[job.id] = job

    def remove(self, job: JobRecord) -> None:
        del self.jobs[job.id]
        if job.session_id is not None:
            session = self.sessions[job.session_id]
            del session[job.id]
            if not session:
                del self.sessions[job.session_id]

    def of_session(self, session_id: str) -> list[JobRecord]:
        return list(self.sessions.get(session_id, {}).values())

    def subscribe(self, session_id: str) -> Subscription:
        subscription = Subscription(session_id, self._unsubscribe)
        self.subscriptions.setdefault(session_id, []).append(subscription)
        return subscription

    def watches(self, job: JobRecord) -> bool:
        """Does a subscription see ``job``'s messages now?"""
        return job.session_id is not None and job.session_id in self.subscriptions

    def publish(self, job: JobRecord, message: Message) -> None:
        if job.session_id is not None and self.subscriptions:
            for subscription in self.subscriptions.get(job.session_id, ()):
                subscription.push(message)

    def close_subscriptions(self) -> None:
        for subscriptions in list(self.subscriptions.values()):
            for subscription in list(subscriptions):
                subscription.close()

    def sizes(self) -> dict[str, int]:
        tables: dict[str, Sized] = {
            "jobs": self.jobs,
            "sessions": self.sessions,
            "subscriptions": self.subscriptions,
        }
        return {name: len(table) for name, table in tables.items()}

    def _unsubscribe(self, subscription: Subscription) -> None:
        subscriptions = self.subscriptions[subscription.session_id]
        subscriptions.remove(subscription)
        if not subscriptions:
            del self.subscriptions[subscription.session_id]
