/* SPDX-License-Identifier: MIT */
/*
 * watch.h - watch index keyed by path.
 *
 * Each watched path gets an index node; index nodes for a path's
 * ancestors exist too and link to their parent.  Matching an event walks
 * the event path's ancestors (O(depth) hash probes, then parent
 * pointers), never the list of all watches.  A recursive removal also
 * walks the index subtree below the removed path, which only contains
 * paths somebody actually watches.
 */
#ifndef QHV_XSD_WATCH_H
#define QHV_XSD_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "list.h"

struct wnode;

/**
 * struct xs_watch - one registered watch.
 * @owner:  opaque owner (the connection).
 * @path:   absolute path (or "@special") the watch matches on.
 * @token:  client token echoed in events.
 * @strip:  bytes to strip from event paths: the watch was registered
 *          relative to a domain's home, so events are reported relative.
 * @owner_link: free for the owner to chain its watches.
 */
struct xs_watch {
	struct list_head wn_link;
	struct list_head owner_link;
	struct wnode *wn;
	void *owner;
	char *path;
	char *token;
	size_t strip;
};

struct watch_index {
	struct htable t;
	size_t count;
};

/**
 * typedef watch_cb - receives one matching watch.
 * @epath: the event path to report (absolute; strip @w->strip bytes).
 */
typedef void (*watch_cb)(void *arg, struct xs_watch *w, const char *epath);

/** watch_index_init() - 0 or -ENOMEM. */
int watch_index_init(struct watch_index *wi);
/** watch_index_destroy() - index must be empty (all watches removed). */
void watch_index_destroy(struct watch_index *wi);

/**
 * watch_add() - register (@owner, @path, @token).
 * Returns -EEXIST if the same owner already has that path and token.
 */
int watch_add(struct watch_index *wi, void *owner, const char *path,
	      const char *token, size_t strip, struct xs_watch **out);
/** watch_find() - the watch (@owner, @path, @token) or NULL. */
struct xs_watch *watch_find(struct watch_index *wi, void *owner,
			    const char *path, const char *token);
/** watch_del() - unregister and free @w. */
void watch_del(struct watch_index *wi, struct xs_watch *w);

/**
 * watch_match() - call @cb for each watch an event on @path triggers:
 * watches on @path and on its ancestors, and, when @subtree is set (a
 * recursive removal), watches below @path, with their own path as the
 * event path.
 */
void watch_match(struct watch_index *wi, const char *path, bool subtree,
		 watch_cb cb, void *arg);

#endif /* QHV_XSD_WATCH_H */
