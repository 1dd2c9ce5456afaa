#pragma once

// hookshot's embedded storage: one LMDB environment holding webhooks, events, pending
// deliveries and delivery records (layout: docs/storage-format.md).
//
// Caveats (read before changing anything here):
//  - One lmdb_store per data directory per process; LMDB forbids opening an env twice.
//  - Writes go through write() from one thread at a time (storage::writer owns that thread).
//    LMDB allows one write transaction per env; a second would block, or deadlock if on the
//    same thread.
//  - Read calls open and close their own read transaction (MDB_NOTLS), so they are safe from
//    any thread, including CAF workers that migrate between threads. No transaction outlives
//    a call.
//  - The map grows (doubles) when full. Growing needs no transaction active in the process, so
//    readers hold a shared lock for the life of their transaction and growth takes it
//    exclusively.
//  - durability fsync: every commit is synced (survives power loss). os: MDB_NOSYNC, the OS
//    flushes (survives a process crash, not a power loss).
//  - write_map (the serving process, durability os only): MDB_WRITEMAP, pages written in
//    place in a shared map instead of copied and pwrite()n one by one at commit. The data file
//    then has the map's size (sparse); disk_reservation backs every page a transaction could
//    add before it starts, so a full disk fails that write instead of raising SIGBUS. Other
//    processes (inspection) open the same files without it, which LMDB allows: nothing they
//    open writes pages.

#include <lmdb.h>

#include <boost/unordered/unordered_flat_map.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "core/delivery.hpp"
#include "core/event.hpp"
#include "core/filter.hpp"
#include "core/secret_box.hpp"
#include "core/status.hpp"
#include "core/webhook.hpp"
#include "storage/codec.hpp"
#include "storage/disk_reservation.hpp"
#include "storage/event_refs.hpp"

namespace hookshot::storage {

enum class durability { fsync, os };

/// Everything one group commit writes. Batches from many producers are applied together in
/// one transaction. Events and records arrive encoded: the producer (an actor thread) does the
/// encoding, so the single writer thread only copies bytes into pages.
struct write_batch {
  struct encoded {
    std::uint64_t key = 0;        // event seq, or the webhook key of a record
    std::uint64_t seq = 0;        // record seq (records only)
    std::uint64_t event_seq = 0;  // records only: the stored event that is the payload, or 0
    size_t offset = 0;            // the value is bytes[offset, offset + size)
    size_t size = 0;
  };
  std::string bytes;  // every encoded value of the batch, back to back (one allocation)
  std::vector<encoded> new_events;                  // stored until their last pending is done
  std::vector<pending_delivery> new_pendings;       // each holds a reference on its event
  std::vector<pending_delivery> updated_pendings;   // rescheduled (attempts, due time)
  std::vector<pending_delivery> finished_pendings;  // removed; each drops its event reference
  std::vector<encoded> records;                     // appended; the webhook's log is trimmed
                                                    // (a record naming its event keeps it)
  std::vector<webhook> webhooks;                    // created or replaced
  std::vector<std::uint64_t> removed_webhooks;      // deleted with their delivery logs
  std::vector<std::pair<std::uint64_t, std::uint64_t>> removed_records;  // (webhook key, seq)
  std::vector<webhook_filter> filters;                                   // added
  std::vector<std::pair<std::uint64_t, std::uint64_t>> removed_filters;  // (webhook key, filter key)
  std::optional<std::uint32_t> cleanup_keep;        // trim every webhook's log to this many
  static constexpr std::uint32_t kDefaultKeepRecords = 10;
  std::uint32_t keep_records = kDefaultKeepRecords;  // log length kept when appending records

  void add_event(const event& e);
  void add_record(const delivery_record& r);
  void add_record(const record_fields& r);
  std::string_view value_of(const encoded& e) const { return std::string_view(bytes).substr(e.offset, e.size); }
  bool empty() const;
  /// Empties every part, keeping the buffers' capacity (writer::take_batch hands such a batch
  /// out again).
  void clear();
  /// Bytes the batch's buffers hold allocated (capacities, not sizes; strings inside elements
  /// not counted).
  size_t capacity_bytes() const;

 private:
  // Calls fn on every list above, so empty(), clear() and capacity_bytes() cannot miss one (a
  // list clear() missed would be written again by the next batch handed out).
  template <class Batch, class Fn>
  static void for_each_list(Batch& b, Fn&& fn) {
    fn(b.new_events);
    fn(b.new_pendings);
    fn(b.updated_pendings);
    fn(b.finished_pendings);
    fn(b.records);
    fn(b.webhooks);
    fn(b.removed_webhooks);
    fn(b.removed_records);
    fn(b.filters);
    fn(b.removed_filters);
  }
};

/// Sequence numbers to continue from after a restart.
struct counters {
  std::uint64_t next_event_seq = 1;
  std::uint64_t next_pending_seq = 1;
  std::uint64_t next_record_seq = 1;
  std::uint64_t next_webhook_key = 1;
  std::uint64_t next_filter_key = 1;
};

class lmdb_store {
 public:
  static constexpr std::uint32_t kSchemaVersion = 4;

  /// Opens (creating if needed) the environment in `dir`, which is created if missing.
  /// Errors: io_error (directory, permissions, LMDB open), corruption (schema version newer
  /// than this binary, undecodable values during the reference-count scan).
  /// `initial_map_size` is the map size of a new environment (an existing one keeps at least
  /// 1.5 times its file size).
  ///
  /// `secrets`: webhook secret keys are sealed with it (AES-256-GCM) when written and opened
  /// when read. The first open with a box seals every secret already stored, in the same
  /// transaction that records a check value; later opens refuse a different key
  /// (invalid_argument). Without a box (read-only inspection, e.g. `hookshot deliveries`)
  /// sealed secrets read as "" and writing a webhook to sealed data fails. The directory is
  /// created 0700 and the files 0600.
  ///
  /// `write_map`: map the file writable (see the caveats above). Honoured only with durability
  /// os (syncing a writable map faults on every page written after each sync, which costs more
  /// than it saves) and where the file system can reserve blocks (fallocate).
  static constexpr size_t kDefaultMapSize = size_t{256} << 20;
  static result<std::unique_ptr<lmdb_store>> open(const std::string& dir, durability d,
                                                  size_t initial_map_size = kDefaultMapSize,
                                                  std::shared_ptr<const secret_box> secrets = nullptr,
                                                  bool write_map = false);
  /// Opens the data directory `dir` to read only, for a process that inspects what another
  /// process (hookshot serve) may be writing meanwhile: it takes no write lock (the server's
  /// commits do not wait for it), creates nothing, and builds no reference counts or log
  /// index, so its open costs the same however much is stored. Such a store lists logs with
  /// recent_deliveries_at_snapshot (recent_deliveries finds none); sealed secrets read as ""
  /// and write() refuses. Errors: not_found when `dir` holds no hookshot data, corruption for
  /// a schema other than this binary's (an older one is upgraded by hookshot serve's open).
  static result<std::unique_ptr<lmdb_store>> open_reader(const std::string& dir);
  ~lmdb_store();
  lmdb_store(const lmdb_store&) = delete;
  lmdb_store& operator=(const lmdb_store&) = delete;

  /// Applies the batches in one transaction and commits (synced per durability). On
  /// MDB_MAP_FULL the map doubles and the whole group is retried. On any other error nothing
  /// of the group is written. Writer thread only.
  status write(const std::vector<const write_batch*>& group);

  // Reads: any thread.
  status for_each_webhook(const std::function<void(webhook&&)>& fn) const;
  status for_each_pending(const std::function<void(pending_delivery&&)>& fn) const;
  status for_each_event(const std::function<void(event&&)>& fn) const;
  status for_each_filter(const std::function<void(webhook_filter&&)>& fn) const;
  /// One stored event (not_found once no pending delivery or record names it and the writer's
  /// sweep has passed it).
  result<event> get_event(std::uint64_t seq) const;
  /// The newest `limit` records of a webhook, newest first, each with its payload (read from
  /// its event when the record names one). The seqs come from the in-memory log index (as of
  /// this store's last commit; a store from open_reader has none and finds nothing).
  result<std::vector<delivery_record>> recent_deliveries(std::uint64_t webhook_key,
                                                         size_t limit) const;
  /// The newest `limit` records of every webhook that has any, by webhook key, newest first,
  /// read in one snapshot whose own records table says which records each log holds: how a
  /// store from open_reader lists logs (the writing process trims them meanwhile).
  result<std::map<std::uint64_t, std::vector<delivery_record>>> recent_deliveries_at_snapshot(
      size_t limit) const;
  result<counters> load_counters() const;
  /// Entries stored in a table and the bytes of the pages they occupy.
  enum class table { events, pending, deliveries };
  struct table_size {
    size_t records = 0;
    size_t bytes = 0;
  };
  result<table_size> size_of(table t) const;
  size_t map_size() const { return map_size_; }
  /// True when pages are written in place (open's write_map was honoured).
  bool write_map() const { return write_map_; }
  /// With the writable map, the bytes at the start of the data file that reserved blocks back
  /// (every page a transaction may write lies within them); 0 without it.
  size_t reserved_bytes() const { return reservation_.reserved(); }
  /// The bytes of the data file the last committed transaction uses, up to its last page.
  result<size_t> bytes_in_use() const;

 private:
  lmdb_store() = default;
  struct record_plan {
    std::uint32_t total = 0;  // records the group appends to this webhook's log
    std::uint32_t seen = 0;   // of those, applied so far
    std::uint32_t keep = 0;   // the log's length
  };
  using record_plans = boost::unordered_flat_map<std::uint64_t, record_plan>;  // by webhook key
  // Records a group keeps, (seq, encoded value), appended after every batch is applied.
  using kept_records = std::vector<std::pair<std::uint64_t, std::string_view>>;
  status apply(MDB_txn* txn, const write_batch& b, record_plans& plans, kept_records& kept);
  // A reference taken or dropped by the transaction under way (undone if it fails). An event
  // whose last reference goes stays until sweep_events() passes it.
  void take_ref(std::uint64_t event_seq);
  void drop_ref(std::uint64_t event_seq);
  // Walks up to `budget` events from key `from` on, deletes those nobody names, and sets
  // `from` to where the next sweep starts (0 after the last event).
  status sweep_events(MDB_txn* txn, size_t budget, std::uint64_t& from);
  // Events a transaction applying `group` sweeps: kSweepKeys plus twice what it can release.
  static size_t sweep_budget(const std::vector<const write_batch*>& group);
  static constexpr size_t kSweepKeys = 256;
  // A run of named events longer than this the sweep steps over in memory and descends past,
  // instead of walking it in the table.
  static constexpr std::uint64_t kSweepStep = 16;
  // A webhook's delivery log as the index keeps it: its records' seqs, oldest first, each with
  // the event it names (0: the record holds its payload).
  struct log_entry {
    std::uint64_t seq = 0;
    std::uint64_t event_seq = 0;
  };
  using record_log = std::vector<log_entry>;
  using log_index = boost::unordered_flat_map<std::uint64_t, record_log>;  // by webhook key
  // Every record of the snapshot joins its webhook's log in `logs`.
  status read_logs(MDB_txn* txn, log_index& logs) const;
  // At open: the logs from read_logs(), and each record naming an event holds a reference on
  // it.
  status index_records(MDB_txn* txn);
  // Creates env_ with the table and reader limits every open uses.
  status create_env();
  // Opens the named tables (creating them when `flags` holds MDB_CREATE; a missing one is a
  // directory of an older schema) and reads the schema version stored (0: none yet, a new
  // environment); corruption when it is newer than this binary's.
  status open_tables(MDB_txn* txn, unsigned flags, const std::string& dir, std::uint64_t& version);
  // The transaction's copy of a webhook's log, made from the committed one at first use.
  record_log& staged_log(std::uint64_t webhook_key);
  // At a commit, under logs_mutex_: the staged logs become the index readers see.
  void publish_logs();
  // Fills a record's payload from the event it names.
  status read_payload(MDB_txn* txn, delivery_record& r) const;
  // Appends to `out` the records of `log` (oldest first), newest first until `out` holds
  // `limit`, each with its payload; corruption when one is not stored.
  status read_newest(MDB_txn* txn, const record_log& log, size_t limit,
                     std::vector<delivery_record>& out) const;
  // Appends the records apply() kept, in seq order.
  status append_records(MDB_txn* txn, kept_records& kept);
  // Drops the log's records beyond its newest `keep` (and their events' references); their
  // keys join doomed_records_.
  void trim(std::uint64_t webhook_key, std::uint32_t keep);
  // Keys to delete, each with the event whose reference goes with it (0: none).
  using doomed_keys = std::vector<std::pair<std::uint64_t, std::uint64_t>>;
  // Deletes the keys of `doomed` from `dbi` in key order through one cursor, dropping the
  // event reference of each it finds (a key gone already, or named twice, drops none), and
  // empties `doomed`.
  status delete_sorted(MDB_txn* txn, MDB_dbi dbi, doomed_keys& doomed);
  // Brings an older schema up to kSchemaVersion in the opening transaction. 1 → 2 moved the
  // records of the old `deliveries` table to `records` (and an index table) and dropped it;
  // 2 → 3 rewrites nothing (records that hold their payloads stay readable); 3 → 4 drops the
  // `record_index` table (the index is rebuilt in memory at every open). Then writes the
  // version.
  status migrate(MDB_txn* txn);
  status cleanup(MDB_txn* txn, std::uint32_t keep);
  status grow();
  // Writable map only: no readahead on faults beyond the pages in use, where the file grows;
  // keeps the map's address for populate_ahead (at open and after each growth).
  void advise_growth();
  // The most pages a transaction applying `group` and sweeping `sweep_keys` events can add
  // to the file.
  size_t pages_bound(MDB_txn* txn, const std::vector<const write_batch*>& group,
                     size_t sweep_keys) const;
  // Pages of the file the last committed transaction uses (its last page number + 1).
  result<size_t> pages_in_use() const;
  // Backs the committed pages and `pages` more with disk blocks (write_map only).
  status reserve(size_t pages);
  // Writable map only: maps in the pages the file grows into next, a range at a time, ahead
  // of the stores that would fault them in one by one. `used_bytes`: the bytes in use.
  void populate_ahead(size_t used_bytes);
  status init_secrets(MDB_txn* txn, const std::string& dir);
  result<std::string> encode_webhook(const webhook& w) const;
  // Runs fn(txn) in a read transaction; `also`, when given, is held shared from before the
  // transaction begins until it ends.
  template <class F>
  status read(F&& fn, std::shared_mutex* also = nullptr) const;

  MDB_env* env_ = nullptr;
  MDB_dbi meta_ = 0, webhooks_ = 0, events_ = 0, pending_ = 0, records_ = 0, filters_ = 0;
  size_t map_size_ = 0;
  bool write_map_ = false;
  bool reader_ = false;  // opened by open_reader
  size_t page_size_ = 4096;
  disk_reservation reservation_;  // write_map only
  // The writable map (advise_growth finds it), and how far into it pages are populated.
  static constexpr size_t kPopulateAhead = size_t{1} << 20, kPopulateStep = size_t{256} << 10;
  char* map_ = nullptr;
  size_t populated_ = 0;
  bool populate_works_ = true;  // the kernel knows MADV_POPULATE_WRITE
  std::shared_ptr<const secret_box> secrets_;
  bool sealed_ = false;  // secret keys in this environment are sealed
  mutable std::shared_mutex resize_mutex_;
  // Live references per event seq (pending deliveries and records naming it), the changes of
  // the transaction under way, undone if it does not commit, and where the next sweep of
  // unreferenced events starts. Writer thread only.
  event_refs event_refs_;
  std::vector<std::pair<std::uint64_t, int>> ref_undo_;
  std::uint64_t sweep_from_ = 0;
  // The transaction's record plans and kept records, members so their storage is reused.
  record_plans plans_;
  kept_records kept_;
  // Keys the transaction deletes once every batch is applied: finished pending deliveries and
  // records trimmed or removed. Deleted in key order through one cursor, each delete that
  // falls on the page the previous one left the cursor on skips the descent from the root.
  doomed_keys doomed_pendings_, doomed_records_;
  // The delivery logs' index, by webhook key: which records each log holds. Kept in memory,
  // not in a table: on disk it was a page per webhook rewritten by every commit that
  // delivered for it (measured, docs/benchmarks-history.md, seventeenth session). Written by the
  // writer thread only, as it commits and under logs_mutex_; read by it without the lock and
  // by readers under it, held from before their transaction begins (so a reader's index and
  // snapshot are of the same commit). A transaction changes copies in staged_logs_.
  log_index logs_;
  log_index staged_logs_;
  mutable std::shared_mutex logs_mutex_;
};

/// "LMDB <call>: <mdb_strerror>" as a status of the matching code.
status lmdb_status(const char* call, int rc);

}  // namespace hookshot::storage
