"""Analytics: what the store says over time (trends, share of voice, the purchase funnel, channels), exports, charts
and spike alerts. Reads the store; alerts write PR queue items back through storage/repo."""
