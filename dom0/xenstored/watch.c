// SPDX-License-Identifier: MIT
/*
 * watch.c - watch index (see watch.h for the design).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "watch.h"

struct wnode {
	struct hnode h;			/* key: path */
	char *path;
	size_t len;
	struct wnode *parent;
	struct list_head children;
	struct list_head sibling;
	struct list_head watches;
};

static size_t up(const char *path, size_t len)
{
	while (len > 1 && path[len - 1] != '/')
		len--;
	return len > 1 ? len - 1 : 1;
}

static struct wnode *wn_find(struct watch_index *wi, const char *p, size_t len)
{
	struct hnode *h = ht_find(&wi->t, p, len);

	return h ? container_of(h, struct wnode, h) : NULL;
}

static void wn_put(struct watch_index *wi, struct wnode *wn)
{
	struct wnode *parent;

	/* Free index nodes that no longer lead to any watch. */
	while (wn && list_empty(&wn->watches) && list_empty(&wn->children)) {
		parent = wn->parent;
		if (parent)
			list_del(&wn->sibling);
		ht_remove(&wi->t, &wn->h);
		free(wn->path);
		free(wn);
		wn = parent;
	}
}

static struct wnode *wn_get(struct watch_index *wi, const char *p, size_t len)
{
	struct wnode *wn = wn_find(wi, p, len), *parent = NULL;

	if (wn)
		return wn;
	/* "@special" paths and "/" have no parent in the index. */
	if (p[0] == '/' && len > 1) {
		parent = wn_get(wi, p, up(p, len));
		if (!parent)
			return NULL;
	}
	wn = calloc(1, sizeof(*wn));
	if (wn)
		wn->path = malloc(len + 1);
	if (!wn || !wn->path) {
		free(wn);
		wn_put(wi, parent);
		return NULL;
	}
	memcpy(wn->path, p, len);
	wn->path[len] = '\0';
	wn->len = len;
	wn->parent = parent;
	list_init(&wn->children);
	list_init(&wn->watches);
	if (parent)
		list_add_tail(&wn->sibling, &parent->children);
	wn->h.key = wn->path;
	wn->h.klen = len;
	ht_insert(&wi->t, &wn->h);
	return wn;
}

int watch_index_init(struct watch_index *wi)
{
	wi->count = 0;
	return ht_init(&wi->t);
}

void watch_index_destroy(struct watch_index *wi)
{
	ht_destroy(&wi->t);
}

struct xs_watch *watch_find(struct watch_index *wi, void *owner,
			    const char *path, const char *token)
{
	struct wnode *wn = wn_find(wi, path, strlen(path));
	struct list_head *pos;
	struct xs_watch *w;

	if (!wn)
		return NULL;
	list_for_each(pos, &wn->watches) {
		w = list_entry(pos, struct xs_watch, wn_link);
		if (w->owner == owner && !strcmp(w->token, token))
			return w;
	}
	return NULL;
}

int watch_add(struct watch_index *wi, void *owner, const char *path,
	      const char *token, size_t strip, struct xs_watch **out)
{
	struct xs_watch *w;
	struct wnode *wn;

	if (watch_find(wi, owner, path, token))
		return -EEXIST;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->path = strdup(path);
	w->token = strdup(token);
	wn = w->path && w->token ? wn_get(wi, path, strlen(path)) : NULL;
	if (!wn) {
		free(w->path);
		free(w->token);
		free(w);
		return -ENOMEM;
	}
	w->wn = wn;
	w->owner = owner;
	w->strip = strip;
	list_init(&w->owner_link);
	list_add_tail(&w->wn_link, &wn->watches);
	wi->count++;
	*out = w;
	return 0;
}

void watch_del(struct watch_index *wi, struct xs_watch *w)
{
	struct wnode *wn = w->wn;

	list_del(&w->wn_link);
	list_del(&w->owner_link);
	free(w->path);
	free(w->token);
	free(w);
	wi->count--;
	wn_put(wi, wn);
}

/*
 * Callbacks may add or remove watches of *other* owners only through the
 * daemon's deferred paths, so iterating with a saved successor is safe.
 */
static void fire_list(struct wnode *wn, const char *epath, watch_cb cb,
		      void *arg)
{
	struct list_head *pos, *tmp;

	list_for_each_safe(pos, tmp, &wn->watches)
		cb(arg, list_entry(pos, struct xs_watch, wn_link), epath);
}

static void fire_below(struct wnode *wn, watch_cb cb, void *arg)
{
	struct list_head *pos;
	struct wnode *ch;

	list_for_each(pos, &wn->children) {
		ch = list_entry(pos, struct wnode, sibling);
		fire_list(ch, ch->path, cb, arg);
		fire_below(ch, cb, arg);
	}
}

void watch_match(struct watch_index *wi, const char *path, bool subtree,
		 watch_cb cb, void *arg)
{
	size_t len = strlen(path);
	struct wnode *wn = wn_find(wi, path, len);

	if (wn && subtree)
		fire_below(wn, cb, arg);
	if (path[0] != '/') {
		if (wn)
			fire_list(wn, path, cb, arg);
		return;
	}
	/* Deepest indexed ancestor; its parents are all indexed. */
	while (!wn && len > 1) {
		len = up(path, len);
		wn = wn_find(wi, path, len);
	}
	for (; wn; wn = wn->parent)
		fire_list(wn, path, cb, arg);
}
