"""Locust user for bench.api_load: one endpoint per run, named by BENCH_PATH, with BENCH_TOKEN as the API
token (none for the bare baseline view). Loopback only; the bench bounds the run time."""
import os

from locust import FastHttpUser, constant, task


class Client(FastHttpUser):
    wait_time = constant(0)

    @task
    def hit(self):
        headers = {"Authorization": f"Token {os.environ['BENCH_TOKEN']}"} if os.environ.get("BENCH_TOKEN") else {}
        self.client.get(os.environ["BENCH_PATH"], headers=headers, name=os.environ.get("BENCH_NAME", "endpoint"))
