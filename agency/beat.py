"""Beat's scheduler, taught to catch up after a broker outage.

Celery's own scheduler logs a tick it could not queue and moves the entry on to its next
run, so an alert due while Redis was away would wait a whole sweep interval after Redis came
back. This one keeps trying the tick every few seconds until the broker takes it. Beat has
nothing else to do meanwhile: every other entry needs the broker too, and each entry that
fell due during the outage is queued once, right after, rather than once per missed run.
"""

import time

from celery.beat import PersistentScheduler, SchedulingError
from celery.utils.log import get_logger
from kombu.exceptions import OperationalError

# Under celery's logger, which beat's --loglevel sets, like beat's own messages.
logger = get_logger(__name__)

BROKER_AWAY = (OperationalError, ConnectionError, TimeoutError)


def _broker_away(error: BaseException) -> bool:
    while error is not None:
        if isinstance(error, BROKER_AWAY):
            return True
        error = error.__cause__ or error.__context__
    return False


class CatchUpScheduler(PersistentScheduler):
    retry_every = 2.0  # seconds between tries while the broker is away

    def apply_entry(self, entry, producer=None):
        logger.info("Scheduler: Sending due task %s (%s)", entry.name, entry.task)
        waited = False
        while True:
            try:
                self.apply_async(entry, producer=producer, advance=False)
            except SchedulingError as error:
                if not _broker_away(error):
                    logger.exception("Could not queue %s", entry.name)
                    return
                if not waited:
                    logger.warning("The broker is away; %s is queued once it is back", entry.name)
                    waited = True
                time.sleep(self.retry_every)
            else:
                if waited:
                    logger.info("The broker is back; %s queued", entry.name)
                return
