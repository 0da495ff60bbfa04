// libsmbclient for Node: one Context wraps one SMBCCTX. Every call is synchronous and runs on the
// calling thread, so the service makes them from worker threads only, one Context per thread.
#include <libsmbclient.h>
#include <napi.h>

#include <dlfcn.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>

// Samba keeps its talloc stack frames and a few locks behind these hooks. Without them every thread
// shares one stack of frames, and two threads in libsmbclient at once corrupt each other.
// libsmbclient.h declares smbc_thread_posix() to install them, but Samba 4.17 does not export it;
// libsamba-util (a public Samba library) exports the hook itself. The layout below is the one of
// lib/util/smb_threads.h since 2009; Samba 4.17.12's libsamba-util.so.0 was disassembled to check
// the offsets it calls (lock_mutex 0x10, create_tls 0x18, set_tls 0x28, get_tls 0x30).
struct smb_thread_functions {
  int (*create_mutex)(const char *lockname, void **pplock, const char *location);
  void (*destroy_mutex)(void *plock, const char *location);
  int (*lock_mutex)(void *plock, int lock_type, const char *location);
  int (*create_tls)(const char *keyname, void **ppkey, const char *location);
  void (*destroy_tls)(void **ppkey, const char *location);
  int (*set_tls)(void *pkey, const void *pval, const char *location);
  void *(*get_tls)(void *pkey, const char *location);
};
extern "C" int smb_thread_set_functions(const struct smb_thread_functions *tf);

namespace {

constexpr int kSmbThreadUnlock = 2;
// FILE_ATTRIBUTE_DIRECTORY, in the DOS attributes of a listing entry.
constexpr uint16_t kAttributeDirectory = 0x10;

int CreateMutex(const char *, void **pplock, const char *) {
  auto *mutex = static_cast<pthread_mutex_t *>(malloc(sizeof(pthread_mutex_t)));
  if (mutex == nullptr) return ENOMEM;
  pthread_mutex_init(mutex, nullptr);
  *pplock = mutex;
  return 0;
}
void DestroyMutex(void *plock, const char *) {
  pthread_mutex_destroy(static_cast<pthread_mutex_t *>(plock));
  free(plock);
}
int LockMutex(void *plock, int lock_type, const char *) {
  auto *mutex = static_cast<pthread_mutex_t *>(plock);
  return lock_type == kSmbThreadUnlock ? pthread_mutex_unlock(mutex) : pthread_mutex_lock(mutex);
}
int CreateTls(const char *, void **ppkey, const char *) {
  auto *key = static_cast<pthread_key_t *>(malloc(sizeof(pthread_key_t)));
  if (key == nullptr) return ENOMEM;
  int error = pthread_key_create(key, nullptr);
  if (error != 0) {
    free(key);
    return error;
  }
  *ppkey = key;
  return 0;
}
void DestroyTls(void **ppkey, const char *) {
  if (*ppkey == nullptr) return;
  pthread_key_delete(*static_cast<pthread_key_t *>(*ppkey));
  free(*ppkey);
  *ppkey = nullptr;
}
int SetTls(void *pkey, const void *pval, const char *) {
  return pthread_setspecific(*static_cast<pthread_key_t *>(pkey), pval);
}
// Samba reads its frame key before creating it, the first time: no key yet means no frame yet.
void *GetTls(void *pkey, const char *) {
  if (pkey == nullptr) return nullptr;
  return pthread_getspecific(*static_cast<pthread_key_t *>(pkey));
}
const smb_thread_functions kPthreadFunctions = {CreateMutex, DestroyMutex, LockMutex, CreateTls,
                                                DestroyTls,  SetTls,       GetTls};

// Must run before anything in the process makes a talloc stack frame: afterwards Samba would read
// its single-threaded frame pointer as a thread key.
std::once_flag g_threads_once;
int g_threads_error = 0;

// libsmbclient reads the protocol limits from process-wide parameters when it connects, and
// creating or freeing a context writes such parameters too. One lock covers context creation and
// freeing, and every connection from the moment libsmbclient finds no cached connection until the
// call that connects returns: each context connects with its own limits, and other contexts keep
// working on their established connections meanwhile.
std::mutex g_lock;
int g_live_contexts = 0;
thread_local bool t_holds_lock = false;
thread_local bool t_locked_for_connect = false;
smbc_get_cached_srv_fn g_original_get_cached_server = nullptr;

// Wraps every call into libsmbclient: a connection it made releases the lock when the call ends.
class CallScope {
 public:
  CallScope() = default;
  CallScope(const CallScope &) = delete;
  CallScope &operator=(const CallScope &) = delete;
  ~CallScope() {
    if (!t_locked_for_connect) return;
    t_locked_for_connect = false;
    t_holds_lock = false;
    g_lock.unlock();
  }
};

class LockScope {
 public:
  LockScope() : guard_(g_lock) { t_holds_lock = true; }
  LockScope(const LockScope &) = delete;
  LockScope &operator=(const LockScope &) = delete;
  ~LockScope() { t_holds_lock = false; }

 private:
  std::lock_guard<std::mutex> guard_;
};

const std::set<std::string> kProtocols = {"SMB2_02", "SMB2_10", "SMB3_00", "SMB3_02", "SMB3_11"};

std::string ErrnoName(int error) {
  const char *name = strerrorname_np(error);
  return name != nullptr ? name : "EIO";
}

[[noreturn]] void ThrowErrno(Napi::Env env, int error, const char *operation,
                             const std::string &target) {
  // libsmbclient sometimes fails without setting errno; EIO is the honest generic answer.
  if (error == 0) error = EIO;
  const char *description = strerrordesc_np(error);
  std::string message = std::string(operation) + " " + target + ": " + ErrnoName(error) + " (" +
                        (description != nullptr ? description : "unknown error") + ")";
  Napi::Error failure = Napi::Error::New(env, message);
  failure.Set("code", ErrnoName(error));
  failure.Set("errno", Napi::Number::New(env, error));
  failure.Set("syscall", operation);
  throw failure;
}

[[noreturn]] void ThrowInvalid(Napi::Env env, const std::string &message) {
  Napi::Error failure = Napi::TypeError::New(env, message);
  failure.Set("code", "EINVAL");
  throw failure;
}

std::string StringOption(const Napi::Object &options, const char *name, const char *fallback) {
  Napi::Value value = options.Get(name);
  if (value.IsUndefined() && fallback != nullptr) return fallback;
  if (!value.IsString()) ThrowInvalid(options.Env(), std::string("option ") + name + " must be a string");
  return value.As<Napi::String>().Utf8Value();
}

int64_t IntegerArgument(const Napi::Value &value, const char *name) {
  if (!value.IsNumber()) ThrowInvalid(value.Env(), std::string(name) + " must be a number");
  double number = value.As<Napi::Number>().DoubleValue();
  if (number < 0 || number > 9007199254740991.0 || number != static_cast<double>(static_cast<int64_t>(number)))
    ThrowInvalid(value.Env(), std::string(name) + " must be a non-negative safe integer");
  return static_cast<int64_t>(number);
}

std::string StringArgument(const Napi::CallbackInfo &info, size_t index, const char *name) {
  if (info.Length() <= index || !info[index].IsString())
    ThrowInvalid(info.Env(), std::string(name) + " must be a string");
  return info[index].As<Napi::String>().Utf8Value();
}

const char *TypeOf(mode_t mode) {
  if (S_ISDIR(mode)) return "directory";
  if (S_ISREG(mode)) return "file";
  return "other";
}

// SMB times are 100 ns FILETIMEs; libsmbclient hands them over as timespecs without rounding.
Napi::BigInt MtimeNs(Napi::Env env, const struct stat &st) {
  return Napi::BigInt::New(env, static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 +
                                    static_cast<int64_t>(st.st_mtim.tv_nsec));
}

Napi::Object StatObject(Napi::Env env, const struct stat &st) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("type", TypeOf(st.st_mode));
  result.Set("size", Napi::Number::New(env, static_cast<double>(st.st_size)));
  result.Set("mtimeNs", MtimeNs(env, st));
  result.Set("mode", Napi::Number::New(env, st.st_mode));
  return result;
}

void CopyBounded(const std::string &value, char *buffer, int length) {
  if (length <= 0) return;
  size_t size = std::min(value.size(), static_cast<size_t>(length - 1));
  memcpy(buffer, value.data(), size);
  buffer[size] = '\0';
}

// Loads the process-wide client parameters from memory: a read-only root file system has nowhere
// to put a temporary smb.conf, and /proc/self/fd reads the memfd like any file.
void LoadClientParameters(Napi::Env env, SMBCCTX *context) {
  std::string conf =
      "[global]\n"
      // Every SMB2 and SMB3 server can sign, and libsmbclient signs anyway whenever it requests
      // encryption: an unsigned session is never wanted.
      "client signing = required\n"
      // NTLMv2 with the account's password only: no Kerberos ticket lookups, no anonymous or
      // plaintext fallbacks.
      "client use kerberos = off\n"
      "client ntlmv2 auth = yes\n"
      "client lanman auth = no\n"
      "client plaintext auth = no\n"
      // Names resolve through the system resolver only: NetBIOS would broadcast on the network.
      "disable netbios = yes\n"
      "name resolve order = host\n";
  int fd = memfd_create("libsmbclient.conf", MFD_CLOEXEC);
  if (fd < 0) ThrowErrno(env, errno, "memfd_create", "libsmbclient.conf");
  bool written = write(fd, conf.data(), conf.size()) == static_cast<ssize_t>(conf.size());
  int error = errno;
  if (!written) {
    close(fd);
    ThrowErrno(env, error, "write", "libsmbclient.conf");
  }
  char path[64];
  snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
  if (access(path, R_OK) != 0) {
    error = errno;
    close(fd);
    ThrowErrno(env, error, "access", path);
  }
  smbc_setConfiguration(context, path);
  close(fd);
}

struct OpenFile {
  SMBCFILE *file;
  std::string url;
};

class Context : public Napi::ObjectWrap<Context> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Context",
                       {InstanceMethod<&Context::Stat>("stat"),
                        InstanceMethod<&Context::List>("list"),
                        InstanceMethod<&Context::Mkdir>("mkdir"),
                        InstanceMethod<&Context::Rmdir>("rmdir"),
                        InstanceMethod<&Context::Unlink>("unlink"),
                        InstanceMethod<&Context::Rename>("rename"),
                        InstanceMethod<&Context::Utimes>("utimes"),
                        InstanceMethod<&Context::Open>("open"),
                        InstanceMethod<&Context::Pread>("pread"),
                        InstanceMethod<&Context::Pwrite>("pwrite"),
                        InstanceMethod<&Context::Ftruncate>("ftruncate"),
                        InstanceMethod<&Context::Close>("close"),
                        InstanceMethod<&Context::Free>("free")});
  }

  explicit Context(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Context>(info) {
    Napi::Env env = info.Env();
    if (g_threads_error != 0)
      ThrowErrno(env, g_threads_error, "smb_thread_set_functions", "libsamba-util");
    if (info.Length() < 1 || !info[0].IsObject())
      ThrowInvalid(env, "new Context(options): options must be an object");
    Napi::Object options = info[0].As<Napi::Object>();
    workgroup_ = StringOption(options, "workgroup", "WORKGROUP");
    user_ = StringOption(options, "username", nullptr);
    password_ = StringOption(options, "password", nullptr);
    min_protocol_ = StringOption(options, "minProtocol", "SMB3_00");
    max_protocol_ = StringOption(options, "maxProtocol", "SMB3_11");
    std::string encryption = StringOption(options, "encryption", "desired");
    if (kProtocols.count(min_protocol_) == 0 || kProtocols.count(max_protocol_) == 0)
      ThrowInvalid(env, "minProtocol and maxProtocol must be one of SMB2_02, SMB2_10, SMB3_00, SMB3_02, SMB3_11");
    smbc_smb_encrypt_level level;
    if (encryption == "required") {
      level = SMBC_ENCRYPTLEVEL_REQUIRE;
    } else if (encryption == "desired") {
      level = SMBC_ENCRYPTLEVEL_REQUEST;
    } else if (encryption == "off") {
      level = SMBC_ENCRYPTLEVEL_NONE;
    } else {
      ThrowInvalid(env, "encryption must be required, desired or off");
    }
    int64_t port = IntegerArgument(options.Get("port"), "option port");
    if (port < 1 || port > 65535) ThrowInvalid(env, "option port must be between 1 and 65535");
    int64_t timeout_ms = options.Has("timeoutMs") ? IntegerArgument(options.Get("timeoutMs"), "option timeoutMs") : 20000;

    LockScope lock;
    SMBCCTX *context = smbc_new_context();
    if (context == nullptr) ThrowErrno(env, errno, "smbc_new_context", "");
    // Samba's diagnostics go to stderr: stdout carries the service's own log lines.
    smbc_setOptionDebugToStderr(context, 1);
    smbc_setDebug(context, 0);
    smbc_setTimeout(context, static_cast<int>(timeout_ms));
    smbc_setPort(context, static_cast<uint16_t>(port));
    smbc_setOptionSmbEncryptionLevel(context, level);
    smbc_setOptionUseKerberos(context, 0);
    smbc_setOptionFallbackAfterKerberos(context, 0);
    smbc_setOptionUseCCache(context, 0);
    // A refused login must fail, not quietly continue as guest.
    smbc_setOptionNoAutoAnonymousLogin(context, 1);
    smbc_setOptionUserData(context, this);
    smbc_setFunctionAuthDataWithContext(context, Authenticate);
    g_original_get_cached_server = smbc_getFunctionGetCachedServer(context);
    smbc_setFunctionGetCachedServer(context, GetCachedServer);
    smbc_setUser(context, user_.c_str());
    smbc_setWorkgroup(context, workgroup_.c_str());
    // The first context (again, once all were freed) sets the process-wide parameters; later
    // ones find them set, and nothing else may reload them while connections are in use.
    if (g_live_contexts == 0) {
      try {
        LoadClientParameters(env, context);
      } catch (...) {
        smbc_free_context(context, 1);
        throw;
      }
    }
    if (smbc_init_context(context) == nullptr) {
      int error = errno;
      smbc_free_context(context, 1);
      ThrowErrno(env, error, "smbc_init_context", "");
    }
    context_ = context;
    g_live_contexts += 1;
  }

  ~Context() override { Release(); }

 private:
  static void Authenticate(SMBCCTX *context, const char *, const char *, char *workgroup,
                           int workgroup_length, char *username, int username_length,
                           char *password, int password_length) {
    auto *self = static_cast<Context *>(smbc_getOptionUserData(context));
    if (self == nullptr) return;
    CopyBounded(self->workgroup_, workgroup, workgroup_length);
    CopyBounded(self->user_, username, username_length);
    CopyBounded(self->password_, password, password_length);
  }

  // libsmbclient asks its server cache before every request; no cached connection means it is
  // about to connect, with the protocol limits in the process-wide parameters at that moment.
  static SMBCSRV *GetCachedServer(SMBCCTX *context, const char *server, const char *share,
                                  const char *workgroup, const char *username) {
    SMBCSRV *cached = g_original_get_cached_server(context, server, share, workgroup, username);
    auto *self = static_cast<Context *>(smbc_getOptionUserData(context));
    if (cached != nullptr || self == nullptr || t_holds_lock) return cached;
    g_lock.lock();
    t_holds_lock = true;
    t_locked_for_connect = true;
    smbc_setOptionProtocols(context, self->min_protocol_.c_str(), self->max_protocol_.c_str());
    return cached;
  }

  void Release() {
    if (context_ == nullptr) return;
    LockScope lock;
    for (auto &entry : files_) smbc_getFunctionClose(context_)(context_, entry.second.file);
    files_.clear();
    smbc_setOptionUserData(context_, nullptr);
    smbc_free_context(context_, 1);
    context_ = nullptr;
    g_live_contexts -= 1;
    explicit_bzero(password_.data(), password_.size());
  }

  SMBCCTX *Live(Napi::Env env) {
    if (context_ == nullptr) ThrowErrno(env, EBADF, "use", "a freed context");
    return context_;
  }

  OpenFile &File(const Napi::CallbackInfo &info) {
    Live(info.Env());
    int64_t fd = IntegerArgument(info[0], "fd");
    auto found = files_.find(static_cast<int32_t>(fd));
    if (found == files_.end()) ThrowErrno(info.Env(), EBADF, "use", "fd " + std::to_string(fd));
    return found->second;
  }

  Napi::Value Stat(const Napi::CallbackInfo &info) {
    CallScope call;
    SMBCCTX *context = Live(info.Env());
    std::string url = StringArgument(info, 0, "url");
    struct stat st;
    errno = 0;
    if (smbc_getFunctionStat(context)(context, url.c_str(), &st) < 0)
      ThrowErrno(info.Env(), errno, "stat", url);
    return StatObject(info.Env(), st);
  }

  // libsmbclient reads the whole listing at opendir (SMB2 QUERY_DIRECTORY, with sizes and times);
  // readdirplus hands each entry over from memory. readdirplus2 would build a struct stat per
  // entry by parsing the URL again: 10 µs each, a tenth of a second for 10,000 entries.
  Napi::Value List(const Napi::CallbackInfo &info) {
    CallScope call;
    Napi::Env env = info.Env();
    SMBCCTX *context = Live(env);
    std::string url = StringArgument(info, 0, "url");
    errno = 0;
    SMBCFILE *directory = smbc_getFunctionOpendir(context)(context, url.c_str());
    if (directory == nullptr) ThrowErrno(env, errno, "opendir", url);
    Napi::Array entries = Napi::Array::New(env);
    uint32_t count = 0;
    auto readdirplus = smbc_getFunctionReaddirPlus(context);
    for (;;) {
      errno = 0;
      const struct libsmb_file_info *entry = readdirplus(context, directory);
      if (entry == nullptr) {
        int error = errno;
        smbc_getFunctionClosedir(context)(context, directory);
        if (error != 0) ThrowErrno(env, error, "readdir", url);
        break;
      }
      if (strcmp(entry->name, ".") == 0 || strcmp(entry->name, "..") == 0) continue;
      Napi::Object item = Napi::Object::New(env);
      item.Set("name", entry->name);
      item.Set("type", (entry->attrs & kAttributeDirectory) != 0 ? "directory" : "file");
      item.Set("size", Napi::Number::New(env, static_cast<double>(entry->size)));
      item.Set("mtimeNs", Napi::BigInt::New(env, static_cast<int64_t>(entry->mtime_ts.tv_sec) * 1000000000 +
                                                     static_cast<int64_t>(entry->mtime_ts.tv_nsec)));
      entries.Set(count++, item);
    }
    return entries;
  }

  Napi::Value Mkdir(const Napi::CallbackInfo &info) {
    CallScope call;
    SMBCCTX *context = Live(info.Env());
    std::string url = StringArgument(info, 0, "url");
    errno = 0;
    if (smbc_getFunctionMkdir(context)(context, url.c_str(), 0755) < 0)
      ThrowErrno(info.Env(), errno, "mkdir", url);
    return info.Env().Undefined();
  }

  Napi::Value Rmdir(const Napi::CallbackInfo &info) {
    CallScope call;
    SMBCCTX *context = Live(info.Env());
    std::string url = StringArgument(info, 0, "url");
    errno = 0;
    if (smbc_getFunctionRmdir(context)(context, url.c_str()) < 0)
      ThrowErrno(info.Env(), errno, "rmdir", url);
    return info.Env().Undefined();
  }

  Napi::Value Unlink(const Napi::CallbackInfo &info) {
    CallScope call;
    SMBCCTX *context = Live(info.Env());
    std::string url = StringArgument(info, 0, "url");
    errno = 0;
    if (smbc_getFunctionUnlink(context)(context, url.c_str()) < 0)
      ThrowErrno(info.Env(), errno, "unlink", url);
    return info.Env().Undefined();
  }

  // libsmbclient's rename: when the target exists it deletes it, then renames (two requests, not
  // atomic). The JS side decides whether that may happen.
  Napi::Value Rename(const Napi::CallbackInfo &info) {
    CallScope call;
    SMBCCTX *context = Live(info.Env());
    std::string from = StringArgument(info, 0, "from");
    std::string to = StringArgument(info, 1, "to");
    errno = 0;
    if (smbc_getFunctionRename(context)(context, from.c_str(), context, to.c_str()) < 0)
      ThrowErrno(info.Env(), errno, "rename", from + " -> " + to);
    return info.Env().Undefined();
  }

  Napi::Value Utimes(const Napi::CallbackInfo &info) {
    CallScope call;
    SMBCCTX *context = Live(info.Env());
    std::string url = StringArgument(info, 0, "url");
    int64_t mtime_us = IntegerArgument(info[1], "mtimeUs");
    struct timeval times[2];
    times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(mtime_us / 1000000);
    times[0].tv_usec = times[1].tv_usec = static_cast<suseconds_t>(mtime_us % 1000000);
    errno = 0;
    if (smbc_getFunctionUtimes(context)(context, url.c_str(), times) < 0)
      ThrowErrno(info.Env(), errno, "utimes", url);
    return info.Env().Undefined();
  }

  Napi::Value Open(const Napi::CallbackInfo &info) {
    CallScope call;
    SMBCCTX *context = Live(info.Env());
    std::string url = StringArgument(info, 0, "url");
    int64_t flags = IntegerArgument(info[1], "flags");
    errno = 0;
    SMBCFILE *file = smbc_getFunctionOpen(context)(context, url.c_str(), static_cast<int>(flags), 0644);
    if (file == nullptr) ThrowErrno(info.Env(), errno, "open", url);
    int32_t fd = next_fd_++;
    files_.emplace(fd, OpenFile{file, url});
    return Napi::Number::New(info.Env(), fd);
  }

  Napi::Value Pread(const Napi::CallbackInfo &info) {
    CallScope call;
    Napi::Env env = info.Env();
    OpenFile &open = File(info);
    int64_t offset = IntegerArgument(info[1], "offset");
    int64_t length = IntegerArgument(info[2], "length");
    if (length > (64 << 20)) ThrowInvalid(env, "length must be at most 64 MiB");
    errno = 0;
    if (smbc_getFunctionLseek(context_)(context_, open.file, offset, SEEK_SET) < 0)
      ThrowErrno(env, errno, "lseek", open.url);
    // A fresh ArrayBuffer, not a Buffer from Node's pool: the worker transfers it to the main thread.
    Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(env, static_cast<size_t>(length));
    auto *bytes = static_cast<uint8_t *>(buffer.Data());
    size_t done = 0;
    auto read = smbc_getFunctionRead(context_);
    while (done < static_cast<size_t>(length)) {
      errno = 0;
      ssize_t count = read(context_, open.file, bytes + done, static_cast<size_t>(length) - done);
      if (count < 0) ThrowErrno(env, errno, "read", open.url);
      if (count == 0) break;
      done += static_cast<size_t>(count);
    }
    return Napi::Uint8Array::New(env, done, buffer, 0);
  }

  Napi::Value Pwrite(const Napi::CallbackInfo &info) {
    CallScope call;
    Napi::Env env = info.Env();
    OpenFile &open = File(info);
    int64_t offset = IntegerArgument(info[1], "offset");
    if (info.Length() < 3 || !info[2].IsTypedArray()) ThrowInvalid(env, "data must be a Uint8Array");
    Napi::Uint8Array data = info[2].As<Napi::Uint8Array>();
    errno = 0;
    if (smbc_getFunctionLseek(context_)(context_, open.file, offset, SEEK_SET) < 0)
      ThrowErrno(env, errno, "lseek", open.url);
    size_t done = 0;
    auto write = smbc_getFunctionWrite(context_);
    while (done < data.ByteLength()) {
      errno = 0;
      ssize_t count = write(context_, open.file, data.Data() + done, data.ByteLength() - done);
      if (count <= 0) ThrowErrno(env, errno, "write", open.url);
      done += static_cast<size_t>(count);
    }
    return Napi::Number::New(env, static_cast<double>(done));
  }

  Napi::Value Ftruncate(const Napi::CallbackInfo &info) {
    CallScope call;
    OpenFile &open = File(info);
    int64_t size = IntegerArgument(info[1], "size");
    errno = 0;
    if (smbc_getFunctionFtruncate(context_)(context_, open.file, size) < 0)
      ThrowErrno(info.Env(), errno, "ftruncate", open.url);
    return info.Env().Undefined();
  }

  Napi::Value Close(const Napi::CallbackInfo &info) {
    CallScope call;
    OpenFile &open = File(info);
    std::string url = open.url;
    SMBCFILE *file = open.file;
    files_.erase(static_cast<int32_t>(IntegerArgument(info[0], "fd")));
    errno = 0;
    if (smbc_getFunctionClose(context_)(context_, file) < 0)
      ThrowErrno(info.Env(), errno, "close", url);
    return info.Env().Undefined();
  }

  Napi::Value Free(const Napi::CallbackInfo &info) {
    Release();
    return info.Env().Undefined();
  }

  SMBCCTX *context_ = nullptr;
  std::string workgroup_;
  std::string user_;
  std::string password_;
  std::string min_protocol_;
  std::string max_protocol_;
  std::unordered_map<int32_t, OpenFile> files_;
  int32_t next_fd_ = 1;
};

Napi::Value Version(const Napi::CallbackInfo &info) {
  return Napi::String::New(info.Env(), smbc_version());
}

// Node unloads an addon when the last worker thread that loaded it exits, and libsmbclient goes
// with it, but the signal handlers Samba installed and the thread hooks above stay registered:
// the next SIGCHLD in the process jumps into unmapped code. The addon, and so everything it links,
// stays loaded until the process ends.
void PinAddon(Napi::Env env) {
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&PinAddon), &info) == 0 || info.dli_fname == nullptr)
    throw Napi::Error::New(env, "dladdr cannot find the smbclient addon's own file");
  if (dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE) == nullptr)
    throw Napi::Error::New(env, std::string("cannot pin the smbclient addon in memory: ") + dlerror());
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  PinAddon(env);
  std::call_once(g_threads_once, [] { g_threads_error = smb_thread_set_functions(&kPthreadFunctions); });
  exports.Set("Context", Context::Define(env));
  exports.Set("version", Napi::Function::New(env, Version, "version"));
  return exports;
}

}  // namespace

NODE_API_MODULE(smbclient, Init)
