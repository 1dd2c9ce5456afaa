#include "bench/run_phases.hpp"

#include <catch2/catch.hpp>

using hookshot::bench::add_drain_figures;
using hookshot::bench::add_phase_ratios;
using hookshot::bench::add_role_figures;
using hookshot::bench::run_mark;

namespace {

run_mark mark(double t, std::uint64_t delivered, double engine, double sink, double bench,
              double http, double writer) {
  run_mark m;
  m.t = t;
  m.delivered = delivered;
  m.engine_cpu = engine;
  m.sink_cpu = sink;
  m.bench_cpu = bench;
  m.threads["http"].cpu_seconds = http;
  m.threads["writer"].cpu_seconds = writer;
  m.threads["other"].cpu_seconds = 0.5;
  return m;
}

}  // namespace

TEST_CASE("the drain's figures are its own deliveries at its own price") {
  // 1,000 events posted in 1 s while 400 were delivered, then 600 more in 0.5 s. The whole run
  // spent 2.4 s of CPU on the three processes, the drain 0.6 s of them (1,000 us per delivery).
  run_mark start = mark(10.0, 0, 1.0, 0.5, 0.2, 0.4, 0.1);
  run_mark posted = mark(11.0, 400, 2.2, 0.8, 0.5, 0.9, 0.3);
  run_mark end = mark(11.5, 1000, 2.7, 0.9, 0.5, 1.3, 0.35);
  std::map<std::string, double> extra;
  add_drain_figures(extra, start, posted, end, 1000);
  CHECK(extra.at("drain_per_s") == Approx(1200.0));
  CHECK(extra.at("drain_cpu_us") == Approx(500.0 / 600 * 1000));        // 0.5 s of the engine
  CHECK(extra.at("drain_all_cpu_us") == Approx(600.0 / 600 * 1000));    // 0.6 s of all three
  CHECK(extra.at("drain_cpu_us_http") == Approx(400.0 / 600 * 1000));
  CHECK(extra.at("drain_cpu_us_writer") == Approx(50.0 / 600 * 1000));
  CHECK(extra.count("drain_cpu_us_other") == 0);
  // 2.4 s in all, 1,000 deliveries at 1,000 us: 1.4 s over 1,000 events.
  CHECK(extra.at("ingest_cpu_us_per_event") == Approx(1400.0));
  CHECK(extra.at("ingest_cpu_us_per_delivery") == Approx(1400.0));  // one delivery an event
  // By role: http spent 0.9 s in all, 1,000 deliveries at its drain price of 666.7 us leave
  // 0.233 s over 1,000 events; the writer 0.25 s, at 83.3 us per delivery, leaves 0.167 s.
  CHECK(extra.at("ingest_cpu_us_http") == Approx((900.0 - 400.0 / 0.6) * 1000 / 1000));
  CHECK(extra.at("ingest_cpu_us_writer") == Approx((250.0 - 50.0 / 0.6) * 1000 / 1000));
  CHECK(extra.count("ingest_cpu_us_other") == 0);

  add_phase_ratios(extra, 2400);
  CHECK(extra.at("drain_ratio") == Approx(0.5));
  CHECK(extra.count("steady_ratio") == 0);  // no steady rate in this run
}

TEST_CASE("an event that fans out shares its intake among its deliveries") {
  // The same run with 10 events of 100 deliveries each: the intake's 1.4 s is 140,000 us an
  // event, and still 1,400 us a delivery.
  std::map<std::string, double> extra;
  add_drain_figures(extra, mark(10.0, 0, 1.0, 0.5, 0.2, 0.4, 0.1),
                    mark(11.0, 400, 2.2, 0.8, 0.5, 0.9, 0.3), mark(11.5, 1000, 2.7, 0.9, 0.5, 1.3, 0.35),
                    10);
  CHECK(extra.at("ingest_cpu_us_per_event") == Approx(140000.0));
  CHECK(extra.at("ingest_cpu_us_per_delivery") == Approx(1400.0));
}

TEST_CASE("a drain too short to time adds nothing") {
  run_mark start = mark(0.0, 0, 0, 0, 0, 0, 0);
  std::map<std::string, double> extra;
  // Under a tenth of the deliveries came after the last event.
  add_drain_figures(extra, start, mark(5.0, 950, 4, 1, 1, 2, 1), mark(6.0, 1000, 5, 1, 1, 2, 1), 1000);
  CHECK(extra.empty());
  // A tenth or more, but within 0.2 s.
  add_drain_figures(extra, start, mark(5.0, 500, 4, 1, 1, 2, 1), mark(5.1, 1000, 5, 1, 1, 2, 1), 1000);
  CHECK(extra.empty());
  // Nothing delivered at all.
  add_drain_figures(extra, start, mark(5.0, 0, 4, 1, 1, 2, 1), mark(6.0, 0, 5, 1, 1, 2, 1), 1000);
  CHECK(extra.empty());
  add_phase_ratios(extra, 1000);
  CHECK(extra.empty());
}

TEST_CASE("phase ratios need a positive baseline") {
  std::map<std::string, double> extra{{"steady_per_s", 900.0}, {"drain_per_s", 1100.0}};
  add_phase_ratios(extra, 0);
  CHECK(extra.size() == 2);
  add_phase_ratios(extra, 1000);
  CHECK(extra.at("steady_ratio") == Approx(0.9));
  CHECK(extra.at("drain_ratio") == Approx(1.1));
}

TEST_CASE("the roles' figures are per delivery between the marks, the other threads left out") {
  run_mark start = mark(10.0, 0, 1.0, 0.5, 0.2, 0.4, 0.1);
  run_mark end = mark(12.0, 1000, 2.0, 0.9, 0.5, 1.0, 0.3);
  start.threads["writer"].switches = 100;
  end.threads["writer"].switches = 600;
  end.threads["writer"].faults = 50;
  end.threads["writer"].written_bytes = 2048.0 * 1000;
  std::map<std::string, double> extra;
  add_role_figures(extra, start, end, 1000);
  CHECK(extra.at("cpu_us_http") == Approx(600.0));   // 0.6 s over 1,000 deliveries
  CHECK(extra.at("cpu_us_writer") == Approx(200.0));
  CHECK(extra.at("switches_writer") == Approx(0.5));
  CHECK(extra.at("faults_writer") == Approx(0.05));
  CHECK(extra.at("store_written_kib") == Approx(2.0));
  CHECK(extra.count("cpu_us_other") == 0);
  // A role that had no thread at the start counts from nothing.
  end.threads["intake"].cpu_seconds = 0.1;
  add_role_figures(extra, start, end, 1000);
  CHECK(extra.at("cpu_us_intake") == Approx(100.0));
  // Nothing delivered: nothing to divide by.
  std::map<std::string, double> none;
  add_role_figures(none, start, end, 0);
  CHECK(none.empty());
}
