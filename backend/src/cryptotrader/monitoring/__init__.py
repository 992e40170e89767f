"""Monitoring: Prometheus metrics of every process and the InfluxDB writer for Grafana.

``telemetry.Telemetry`` is what the engines and the API report to; it keeps Prometheus metrics
(scraped from ``/metrics``) and, when InfluxDB is configured, queues points for ``InfluxWriter``,
which writes them from its own thread so that a slow or dead InfluxDB never holds up trading.
"""
