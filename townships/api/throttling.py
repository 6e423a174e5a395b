"""The API's rate limit, counted in fixed windows.

DRF's own throttles keep, per user, the list of every request's time in the window: read,
trimmed and written back whole on every request, so a client near a high limit (1200 an hour,
or a benchmark's) pays for a list of thousands of floats each time. Here a user's window is
one integer in Redis, counted with INCR (and given its expiry when the window opens), one
round trip whatever the rate. A fixed window lets a client send up to twice the rate across a
window's boundary; that is the usual trade for a counter, and the limit is a budget per client,
not a security boundary.
"""

from rest_framework.throttling import UserRateThrottle

from townships.cache import count_in_window


class FixedWindowUserRateThrottle(UserRateThrottle):
    """Per user (per token's user; per address when anonymous), ``rate`` requests per window of the
    rate's period, the windows aligned on the clock. Set by ``DEFAULT_THROTTLE_RATES["user"]``."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        self.window_start = int(self.now) - int(self.now) % self.duration
        # 0 when Redis is unavailable: nothing is counted and the request is let through.
        count = count_in_window(f"{self.key}:{self.window_start}", self.duration)
        return count <= self.num_requests

    def wait(self):
        """Seconds until the window ends (the Retry-After of a 429)."""
        return max(self.window_start + self.duration - self.now, 1)
