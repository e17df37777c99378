"""Test-only: make one rank of a distributed run fail at a chosen epoch, as a crash or a kill would.

Put this folder on PYTHONPATH and set ``SHOOTOUT_TEST_FAULT=RANK:EPOCH:kill`` (the rank SIGKILLs itself
when it starts that epoch, 0-based, after the earlier epochs' checkpoints) or ``RANK:EPOCH:raise`` (it
raises an OSError there). ``SHOOTOUT_TEST_FAULT_MARK``: a file that gets the time of the fault.
Python imports ``sitecustomize`` at start-up; processes that are not that rank are left alone.
"""

import os

_spec = os.environ.get("SHOOTOUT_TEST_FAULT", "")
if _spec and os.environ.get("RANK") == _spec.split(":")[0]:
    import signal
    import time

    from shootout.train import trainer

    _, _epoch, _kind = _spec.split(":")
    _original = trainer._Run.train_epoch

    def _failing_epoch(self, epoch, bar):
        if epoch == int(_epoch):
            mark = os.environ.get("SHOOTOUT_TEST_FAULT_MARK")
            if mark:
                with open(mark, "w") as file:
                    file.write(str(time.time()))
            if _kind == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            raise OSError(f"injected fault on rank {os.environ['RANK']}")
        return _original(self, epoch, bar)

    trainer._Run.train_epoch = _failing_epoch
