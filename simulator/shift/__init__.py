"""The workqueue and the session state machine; time comes from an injected Clock."""

from simulator.shift.clock import Clock, FakeClock, SystemClock
from simulator.shift.session import ChartState, CodedLine, Session, Status

__all__ = ["ChartState", "Clock", "CodedLine", "FakeClock", "Session", "Status", "SystemClock"]
