/* The karta dashboard page: reads /TOKEN/api/* of `karta dashboard` (client/dashboard/dash_api.c)
 * and draws the roll-up, the drill-down to schools and items, the overdue list, the report
 * requests and the exam planning reports. Read-only. Every figure is the server's (the same
 * tables as `karta rollup`, `karta overdue`, `karta control`); the page only formats, sums the
 * TOTAL row and computes the done % as the CLI does (done of all items, one decimal). */
'use strict';

const LEVEL = {1: 'region', 2: 'municipality', 3: 'school'};
const STATUS_RU = {not_started: 'не начато', in_progress: 'в работе', done: 'выполнено',
	not_applicable: 'не требуется', blocked: 'приостановлено', not_reported: 'нет отчёта', '': 'нет отчёта'};
const SUB_RU = {draft: 'черновик', submitted: 'направлен', resubmitted: 'направлен повторно',
	accepted: 'принят', returned: 'возвращён на доработку', missing: 'не представлен'};

const S = {me: null, asOf: '', orgs: {}, plans: null, online: true, lastSync: '', after: []};

/* ---- small helpers ---- */

function el(tag, attrs, ...kids) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === undefined || v === null || v === false) continue;
		if (k === 'class') e.className = v;
		else if (k === 'text') e.textContent = v;
		else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
		else e.setAttribute(k, v === true ? '' : v);
	}
	for (const k of kids.flat()) if (k !== null && k !== undefined) e.append(k);
	return e;
}
const num = s => (s === '' || s === null || s === undefined) ? null : Number(s);
const fmtInt = n => n === null ? '' : n.toLocaleString('ru-RU').replace(/\s/g, '\u00a0');
/* The CLI's done %: 100 * n / d to one decimal as C's printf rounds it (an exact tie, 47,25,
 * goes to the even digit: 47,2), null when d is 0; shown with a decimal comma. */
function pct(n, d) {
	if (!(d > 0)) return null;
	const r = 1000 * n / d, f = Math.floor(r);
	return (r - f === 0.5 ? (f % 2 === 0 ? f : f + 1) : Math.round(r)) / 10;
}
const fmtPct = p => p === null ? '—' : p.toFixed(1).replace('.', ',') + '\u00a0%';
function fmtDate(s) { /* YYYY-MM-DD… → дд.мм.гггг */
	const m = /^(\d{4})-(\d\d)-(\d\d)/.exec(s || '');
	return m ? `${m[3]}.${m[2]}.${m[1]}` : (s || '');
}
function fmtTime(s) { /* a timestamp → дд.мм.гггг ЧЧ:ММ in this computer's time zone */
	if (!s) return '';
	const t = new Date(s.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
	if (isNaN(t)) return s;
	const p = n => String(n).padStart(2, '0');
	return `${p(t.getDate())}.${p(t.getMonth() + 1)}.${t.getFullYear()} ${p(t.getHours())}:${p(t.getMinutes())}`;
}
function todayISO() {
	const t = new Date(), p = n => String(n).padStart(2, '0');
	return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}`;
}
function daysBetween(a, b) { return Math.round((Date.parse(b) - Date.parse(a)) / 86400000); }
function orgName(code) { const o = S.orgs[code]; return o && o.name ? o.name : code; }

async function api(what, params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params || {})) if (v) q.set(k, v);
	const r = await fetch('api/' + what + (q.toString() ? '?' + q : ''), {cache: 'no-store'});
	let j;
	try { j = await r.json(); } catch (e) { j = {ok: false, error: `ответ ${r.status}`}; }
	return j;
}

/* A computed table as an array of objects keyed by column; notes where it came from. */
async function serverTable(params) {
	const j = await api('table', Object.assign({as_of: S.asOf}, params));
	if (!j.ok) return {rows: null, error: j.error, offline: !!j.offline};
	const cols = j.table.columns;
	const rows = j.table.rows.map(r => Object.fromEntries(cols.map((c, i) => [c, r[i]])));
	if (j.source === 'cache') noteCache(j.at);
	else setOnline(true);
	return {rows, source: j.source, at: j.at};
}

/* ---- header, banner ---- */

function setOnline(on) {
	S.online = on;
	const n = document.getElementById('net');
	n.className = 'net ' + (on ? 'on' : 'off');
	n.textContent = on ? 'сервер на связи' : 'нет связи с сервером';
	const b = document.getElementById('banner');
	if (on) { b.hidden = true; return; }
	b.hidden = false;
	b.textContent = 'Нет связи с сервером: показаны данные последней синхронизации' +
		(S.lastSync ? ' (' + fmtTime(S.lastSync) + ')' : '') +
		'. Таблицы, которые вычисляет сервер, — такими, какими они были при последнем открытии, или не показаны.';
}
function noteCache(at) {
	setOnline(false);
	const b = document.getElementById('banner');
	if (!b.textContent.includes('сохранённая')) b.textContent += ' Эта таблица — сохранённая копия от ' + fmtTime(at) + '.';
}

/* ---- tables: sortable, CSV ---- */

/* cols: [{key, head, kind: 'text'|'int'|'pct'|'time'|'date'|'bar', hot, sep, get(row), cell(row)}] */
function dataTable(name, cols, rows, opts) {
	opts = opts || {};
	let sortKey = opts.sortKey || null, dir = opts.sortDir || 1;
	const tbody = el('tbody');
	const value = (c, r) => c.get ? c.get(r) : (c.kind === 'text' || c.kind === 'date' || c.kind === 'time' ? r[c.key] : num(r[c.key]));
	const heads = cols.map(c => {
		const th = el('th', {class: (c.kind !== 'text' && c.kind !== 'date' && c.kind !== 'time' ? 'n' : '') + (c.sep ? ' sep' : ''), title: c.title || ''}, c.head);
		th.addEventListener('click', () => { dir = sortKey === c.key ? -dir : (c.kind === 'text' ? 1 : -1); sortKey = c.key; draw(); });
		return th;
	});
	function cellOf(c, r) {
		const v = value(c, r);
		const td = el('td', {class: (c.kind !== 'text' && c.kind !== 'date' && c.kind !== 'time' ? 'n' : '') + (c.sep ? ' sep' : ''), 'data-k': c.key});
		if (c.kind !== 'text') td.setAttribute('data-v', v === null || v === undefined ? '' : String(v));
		if (c.hot && v > 0) td.classList.add('hot');
		if (c.cell) td.append(c.cell(r, v));
		else if (c.kind === 'int') td.textContent = fmtInt(v);
		else if (c.kind === 'pct') td.textContent = fmtPct(v);
		else if (c.kind === 'date') td.textContent = fmtDate(v);
		else if (c.kind === 'time') td.textContent = fmtTime(v);
		else td.textContent = v || '';
		return td;
	}
	function draw() {
		const list = rows.slice();
		if (sortKey) {
			const c = cols.find(x => x.key === sortKey);
			list.sort((a, b) => {
				const x = value(c, a), y = value(c, b);
				if (x === y) return 0;
				if (x === null || x === '' || x === undefined) return 1;
				if (y === null || y === '' || y === undefined) return -1;
				return (typeof x === 'number' ? x - y : String(x).localeCompare(String(y), 'ru', {numeric: true})) * dir;
			});
		}
		heads.forEach((th, i) => { th.classList.toggle('sorted-asc', cols[i].key === sortKey && dir > 0); th.classList.toggle('sorted-desc', cols[i].key === sortKey && dir < 0); });
		tbody.replaceChildren(...list.map(r => el('tr', opts.rowAttrs ? opts.rowAttrs(r) : {}, cols.map(c => cellOf(c, r)))));
		if (opts.total && (list.length > 1 || opts.totalAlways)) {
			const t = opts.total(list);
			tbody.append(el('tr', {class: 'total'}, cols.map((c, i) => {
				const v = t[c.key];
				const td = el('td', {class: (c.kind !== 'text' ? 'n' : '') + (c.sep ? ' sep' : ''), 'data-k': c.key});
				const n = typeof v === 'string' ? num(v) : v;
				td.textContent = i === 0 ? 'ИТОГО' : v === undefined || v === null || v === '' ? '' : c.kind === 'pct' ? fmtPct(n) : c.kind === 'time' ? fmtTime(v) : fmtInt(n);
				if (c.hot && n > 0) td.classList.add('hot');
				return td;
			})));
		}
	}
	draw();
	const csv = el('button', {type: 'button', class: 'csv', onclick: () => downloadCSV(name, cols, rows)}, 'Скачать CSV');
	/* a server table: the workbook `karta … --format xlsx` writes, made by the dashboard */
	const xlsx = opts.xlsx ? el('a', {class: 'xlsx', href: 'api/xlsx?' + new URLSearchParams(Object.entries(Object.assign({as_of: S.asOf}, opts.xlsx)).filter(e => e[1])),
		download: `${name}-${S.asOf || todayISO()}.xlsx`, title: 'та же книга, что karta … --format xlsx'}, 'Скачать XLSX') : null;
	const table = el('table', {'data-table': name}, opts.groups ? el('thead', {}, el('tr', {}, opts.groups.map(g => el('th', {class: 'grp', colspan: g[1]}, g[0]))), el('tr', {}, heads)) : el('thead', {}, el('tr', {}, heads)), tbody);
	return el('div', {}, el('div', {class: 'tools'}, csv, xlsx, opts.tools || null, el('span', {class: 'muted'}, `строк: ${fmtInt(rows.length)}`)), el('div', {class: 'tablebox'}, table));
}

function downloadCSV(name, cols, rows) {
	const q = s => { s = s === null || s === undefined ? '' : String(s); return /[";\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; };
	const val = (c, r) => {
		const v = c.csv ? c.csv(r) : c.get ? c.get(r) : r[c.key];
		if (c.kind === 'pct') return v === null ? '' : v.toFixed(1).replace('.', ',');
		if (c.kind === 'date') return fmtDate(v);
		if (c.kind === 'time') return fmtTime(v);
		return v;
	};
	const lines = [cols.map(c => q(c.head)).join(';')].concat(rows.map(r => cols.map(c => q(val(c, r))).join(';')));
	const blob = new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], {type: 'text/csv;charset=utf-8'});
	const a = el('a', {href: URL.createObjectURL(blob), download: `${name}-${S.asOf || todayISO()}.csv`});
	document.body.append(a); a.click(); a.remove();
}

function bar(p) {
	const i = el('i'); i.style.width = (p === null ? 0 : Math.min(100, p)) + '%';
	return el('span', {class: 'bar'}, i);
}
const barCell = (nk, dk) => ({kind: 'pct', get: r => pct(num(r[nk]) || 0, num(r[dk]) || 0),
	cell: (r, v) => el('span', {}, bar(v), fmtPct(v))});

function sumRows(list, keys) {
	const t = {};
	for (const k of keys) t[k] = list.reduce((s, r) => s + (num(r[k]) || 0), 0);
	return t;
}

let chart = null;
function doneChart(rows, label) {
	if (chart) { chart.destroy(); chart = null; }
	const canvas = el('canvas', {id: 'chart', 'aria-label': 'выполнено, % по организациям'});
	const box = el('div', {class: 'chartbox'}, canvas);
	if (typeof Chart === 'undefined') { box.textContent = 'Диаграмма недоступна: нет Chart.js'; return box; }
	const subs = rows.some(r => r.sub_items !== undefined && r.sub_items !== '');
	const data = rows.map(r => ({name: r.grp_name || r.grp, p: pct(num(r.done) || 0, num(r.items) || 0) || 0,
		s: pct(num(r.sub_done) || 0, num(r.sub_items) || 0) || 0})).sort((a, b) => (b.p + b.s) - (a.p + a.s));
	const sets = [{label: subs ? 'план муниципалитета' : label, data: data.map(d => d.p), backgroundColor: '#2f6db3'}];
	if (subs) sets.push({label: 'школы (ОО) муниципалитета', data: data.map(d => d.s), backgroundColor: '#8fb3dd'});
	/* many organizations: horizontal bars, one line per name, the box as tall as they need */
	const many = data.length > 12;
	if (many) box.style.height = (90 + data.length * (subs ? 20 : 15)) + 'px';
	const pctAxis = {min: 0, max: 100, position: many ? 'top' : 'left', ticks: {callback: v => v + ' %'}};
	const nameAxis = many ? {ticks: {autoSkip: false, font: {size: 11}}}
		: {ticks: {autoSkip: false, maxRotation: 60, minRotation: 30, font: {size: 11}}};
	S.after.push(() => { /* once the canvas is in the page: Chart.js sizes it from its box */
		chart = new Chart(canvas, {
			type: 'bar',
			data: {labels: data.map(d => d.name), datasets: sets},
			options: {animation: false, maintainAspectRatio: false, responsive: true,
				indexAxis: many ? 'y' : 'x',
				plugins: {legend: {display: subs}, title: {display: true, text: label},
					tooltip: {callbacks: {label: c => c.dataset.label + ': ' + fmtPct(many ? c.parsed.x : c.parsed.y)}}},
				scales: many ? {x: pctAxis, y: nameAxis} : {y: pctAxis, x: nameAxis}}
		});
	});
	return box;
}

/* ---- routing ---- */

function route() {
	const h = location.hash.replace(/^#\/?/, '');
	const [path, qs] = h.split('?');
	const q = new URLSearchParams(qs || '');
	return {view: path || 'rollup', q};
}
function link(view, params) {
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params || {})) if (v) q.set(k, v);
	return '#/' + view + (q.toString() ? '?' + q : '');
}
function crumbs(scope) {
	const c = document.getElementById('crumbs');
	c.replaceChildren();
	if (!scope || !S.me) return;
	const chain = [];
	for (let code = scope; code; code = S.orgs[code] ? S.orgs[code].parent : '') {
		chain.unshift(code);
		if (code === S.me.org) break;
	}
	if (chain[0] !== S.me.org) chain.unshift(S.me.org);
	chain.forEach((code, i) => {
		if (i) c.append(' › ');
		const lvl = S.orgs[code] ? LEVEL[S.orgs[code].level] : (code === S.me.org ? S.me.levelName : '');
		const view = lvl === 'school' ? 'items' : 'rollup';
		c.append(i === chain.length - 1 ? el('b', {}, orgName(code)) : el('a', {href: link(view, {scope: code === S.me.org ? '' : code})}, orgName(code)));
	});
}

async function render() {
	const {view, q} = route();
	for (const a of document.querySelectorAll('nav a')) a.classList.toggle('cur', a.dataset.tab === (view === 'items' ? 'rollup' : view));
	const main = document.getElementById('main');
	main.replaceChildren(el('p', {class: 'wait'}, 'Загрузка…'));
	const views = {rollup: viewRollup, items: viewItems, overdue: viewOverdue, reports: viewReports, exams: viewExams};
	const scope = q.get('scope') || '';
	crumbs(scope || S.me.org);
	S.after = [];
	try {
		const kids = await (views[view] || viewRollup)(scope, q);
		main.replaceChildren(...kids);
		for (const f of S.after) f();
	} catch (e) {
		main.replaceChildren(el('p', {class: 'banner err'}, 'Не удалось показать страницу: ' + e));
	}
	/* drawn: tests wait for data-ready; bench/dashboard.sh reads the mark (Performance API) */
	performance.mark('karta-ready');
	document.body.setAttribute('data-ready', view);
}

function failNote(t) {
	return el('p', {class: 'banner err'}, t.offline ? t.error : 'Сервер отказал: ' + t.error);
}

/* ---- views ---- */

const orgCols = (by) => {
	const child = by === 'school' ? 'items' : 'rollup';
	return [
		{key: 'grp_name', head: by === 'school' ? 'Образовательная организация' : 'Муниципалитет', kind: 'text',
			cell: r => el('a', {href: link(child, {scope: r.grp})}, r.grp_name || r.grp)},
		Object.assign({key: 'done_pct', head: 'Выполнено, %', title: 'выполнено из всех мероприятий своего плана'}, barCell('done', 'items')),
		{key: 'items', head: 'Мероприятий', kind: 'int'},
		{key: 'due', head: 'Срок наступил', kind: 'int'},
		{key: 'done', head: 'Выполнено', kind: 'int'},
		{key: 'overdue', head: 'Просрочено', kind: 'int', hot: true},
		{key: 'not_reported', head: 'Нет отчёта', kind: 'int', hot: true},
	].concat(by === 'municipality' ? [
		{key: 'sub_orgs', head: 'ОО', kind: 'int', sep: true},
		{key: 'sub_done_pct', head: 'ОО: выполнено, %', kind: 'pct', get: r => pct(num(r.sub_done) || 0, num(r.sub_items) || 0)},
		{key: 'sub_overdue', head: 'ОО: просрочено', kind: 'int', hot: true},
		{key: 'sub_not_reported', head: 'ОО: нет отчёта', kind: 'int', hot: true},
		{key: 'sub_orgs_overdue', head: 'ОО с просрочкой', kind: 'int', hot: true},
	] : []).concat([
		{key: 'requests_due', head: 'Запросов к сроку', kind: 'int', sep: true},
		{key: 'requests_missing', head: 'Не представлено', kind: 'int', hot: true},
		{key: 'returned', head: 'Возвращено', kind: 'int', hot: true},
		{key: 'last_submission', head: 'Последний отчёт', kind: 'time'},
		{key: 'last_seen', head: 'Последняя связь', kind: 'time', title: 'последнее подключение устройств организации (и её ОО) к серверу'},
	]);
};
const SUM_KEYS = ['items', 'due', 'done', 'overdue', 'not_reported', 'sub_orgs', 'sub_items', 'sub_done',
	'sub_overdue', 'sub_not_reported', 'sub_orgs_overdue', 'requests_due', 'requests_missing', 'returned'];

async function viewRollup(scope) {
	const me = S.me;
	const lvl = scope ? (S.orgs[scope] ? LEVEL[S.orgs[scope].level] : 'municipality') : me.levelName;
	if (lvl === 'school') return viewItems(scope);
	const by = lvl === 'region' ? 'municipality' : 'school';
	const [t, dv] = await Promise.all([serverTable({name: 'rollup', by, scope}), serverTable({name: 'devices', scope})]);
	const title = (by === 'municipality' ? 'Сводка по муниципалитетам' : 'Сводка по образовательным организациям') +
		(scope ? ': ' + orgName(scope) : '');
	const out = [el('h1', {}, title), el('p', {class: 'note'}, 'по состоянию на ' + fmtDate(S.asOf || todayISO()) +
		'. Выполнено, % — доля выполненных мероприятий из всех мероприятий плана организации.')];
	if (!t.rows) return out.concat(failNote(t));
	const seen = {};
	for (const d of dv.rows || []) seen[d.org] = d.last_seen_all || d.last_seen;
	for (const r of t.rows) r.last_seen = seen[r.grp] || '';
	const tot = sumRows(t.rows, SUM_KEYS);
	out.push(el('div', {class: 'cards'},
		el('div', {class: 'card'}, by === 'municipality' ? 'Муниципалитетов' : 'ОО', el('b', {}, fmtInt(t.rows.length))),
		el('div', {class: 'card'}, 'Выполнено', el('b', {}, fmtPct(pct(tot.done, tot.items)))),
		el('div', {class: 'card' + (tot.overdue ? ' bad' : '')}, 'Просрочено', el('b', {}, fmtInt(tot.overdue))),
		el('div', {class: 'card' + (tot.not_reported ? ' bad' : '')}, 'Нет отчёта', el('b', {}, fmtInt(tot.not_reported))),
		by === 'municipality' ? el('div', {class: 'card'}, 'ОО: выполнено', el('b', {}, fmtPct(pct(tot.sub_done, tot.sub_items)))) : null,
		el('div', {class: 'card' + (tot.requests_missing ? ' bad' : '')}, 'Отчётов не представлено', el('b', {}, fmtInt(tot.requests_missing)))));
	if (t.rows.length) out.push(doneChart(t.rows, 'Выполнено, % по ' + (by === 'municipality' ? 'муниципалитетам' : 'ОО')));
	const cols = orgCols(by);
	out.push(dataTable(by === 'municipality' ? 'svodka-mo' : 'svodka-oo', cols, t.rows, {
		rowAttrs: r => ({'data-org': r.grp}), xlsx: {name: 'rollup', by, scope},
		total: list => { const s = sumRows(list, SUM_KEYS); s.done_pct = pct(s.done, s.items); s.sub_done_pct = pct(s.sub_done, s.sub_items); return s; },
		tools: scope || me.levelName !== 'region' ? el('a', {href: link('items', {scope: scope || ''})}, 'Мероприятия плана ' + (scope ? orgName(scope) : 'своей организации') + ' →') : el('a', {href: link('items', {})}, 'Мероприятия регионального плана →'),
	}));
	return out;
}

function evidenceText(e) {
	if (!e || typeof e !== 'object') return '';
	const parts = [];
	if (e.document) {
		const d = e.document;
		parts.push([d.kind, d.number ? '№ ' + d.number : '', d.date ? 'от ' + fmtDate(d.date) : '', d.title ? '«' + d.title + '»' : ''].filter(Boolean).join(' '));
	}
	if (e.count !== undefined) parts.push('количество: ' + e.count);
	if (e.attachment) parts.push('файл: ' + (e.attachment.name || e.attachment.ref || ''));
	return parts.join('; ');
}

/* Plans of the replica, each with its owner's code; organization ids → codes from them. */
async function loadPlans() {
	if (S.plans) return S.plans;
	const j = await api('plans');
	S.plans = j.ok ? j.plans : [];
	S.orgIds = {};
	for (const p of S.plans) if (p.row && p.row.owner_org_id) S.orgIds[p.row.owner_org_id] = p.owner;
	return S.plans;
}

async function viewItems(scope) {
	const code = scope || S.me.org;
	const lvl = S.orgs[code] ? LEVEL[S.orgs[code].level] : S.me.levelName;
	const plans = (await loadPlans()).filter(p => p.owner === code && p.row.status !== 'archived' && !p.row.deleted_at);
	const [t, ...st] = await Promise.all([serverTable({name: 'rollup', by: 'item', scope})].concat(
		plans.map(p => api('rows', {type: 'item_status', plan: p.row.id})),
		plans.map(p => api('rows', {type: 'plan_item', plan: p.row.id}))));
	const status = {}, items = [], itemOf = {};
	for (const j of st.slice(0, plans.length)) for (const x of (j.rows || [])) if (x.row.org_id !== undefined) status[x.row.item_id] = x.row;
	for (const j of st.slice(plans.length)) for (const x of (j.rows || [])) {
		itemOf[x.row.id] = x.row;
		if (!x.row.deleted_at && !x.row.reference_only) items.push(x.row);
	}
	const out = [el('h1', {}, 'Мероприятия: ' + orgName(code)), el('p', {class: 'note'},
		'Статусы по состоянию на ' + fmtDate(S.asOf || todayISO()) + '; подтверждающие документы и комментарии — последние синхронизированные.')];
	let rows = t.rows, offlineItems = false;
	if (!rows) { /* no server and nothing remembered: the synced items and their current statuses */
		out.push(failNote(t));
		if (!items.length) return out;
		out.push(el('p', {class: 'banner'}, 'Показаны мероприятия из локальной копии с текущими статусами (без расчёта просрочки).'));
		offlineItems = true;
		rows = items.map(i => ({grp: i.id, grp_name: (i.number ? i.number + ' ' : '') + i.title, deadline: '',
			own_status: status[i.id] ? status[i.id].status : '', own_overdue: ''}));
	}
	for (const r of rows) {
		const s = status[r.grp];
		r.evidence = s ? evidenceText(s.evidence) : '';
		/* a dated deadline as the server computes it, else the plan's words («в течение года») */
		if (!r.deadline && itemOf[r.grp]) r.deadline = itemOf[r.grp].deadline_text || '';
		r.comment = s ? s.comment || '' : '';
	}
	const cols = [
		{key: 'grp_name', head: 'Мероприятие', kind: 'text'},
		{key: 'deadline', head: 'Срок', kind: 'text', csv: r => fmtDate(r.deadline), cell: r => el('span', {class: 'nw'}, fmtDate(r.deadline))},
		{key: 'own_status', head: 'Статус', kind: 'text', csv: r => STATUS_RU[r.own_status] || r.own_status,
			cell: r => el('span', {class: 'st st-' + (r.own_status || 'none')}, STATUS_RU[r.own_status] || r.own_status)},
		{key: 'own_overdue', head: 'Просрочено', kind: 'text', csv: r => r.own_overdue === 't' ? 'да' : '',
			cell: r => r.own_overdue === 't' ? el('span', {class: 'late'}, 'просрочено') : ''},
		{key: 'evidence', head: 'Подтверждающий документ', kind: 'text', cell: r => el('span', {class: 'ev'}, r.evidence)},
		{key: 'comment', head: 'Комментарий', kind: 'text', cell: r => el('span', {class: 'ev'}, r.comment)},
	];
	if (!offlineItems && lvl !== 'school') cols.splice(4, 0,
		{key: 'items', head: lvl === 'region' ? 'МО с пунктом' : 'ОО с пунктом', kind: 'int', sep: true},
		Object.assign({key: 'done_pct', head: 'Выполнено ниже, %'}, barCell('done', 'items')),
		{key: 'overdue', head: 'Просрочено ниже', kind: 'int', hot: true});
	const done = rows.filter(r => r.own_status === 'done').length, late = rows.filter(r => r.own_overdue === 't').length;
	out.push(el('div', {class: 'cards'}, el('div', {class: 'card'}, 'Мероприятий', el('b', {}, fmtInt(rows.length))),
		el('div', {class: 'card'}, 'Выполнено', el('b', {}, fmtInt(done) + ' (' + fmtPct(pct(done, rows.length)) + ')')),
		el('div', {class: 'card' + (late ? ' bad' : '')}, 'Просрочено', el('b', {}, fmtInt(late)))));
	out.push(dataTable('meropriyatiya-' + code, cols, rows, {rowAttrs: r => ({'data-item': r.grp}), xlsx: offlineItems ? null : {name: 'rollup', by: 'item', scope}}));
	return out;
}

async function viewOverdue(scope, q) {
	const t = await serverTable({name: 'overdue', scope});
	const out = [el('h1', {}, 'Просрочено' + (scope ? ': ' + orgName(scope) : '')),
		el('p', {class: 'note'}, 'Мероприятия, срок которых прошёл до ' + fmtDate(S.asOf || todayISO()) + ', не выполненные к этому дню, и непредставленные отчёты; по числу дней просрочки.')];
	if (!t.rows) return out.concat(failNote(t));
	const day = S.asOf || todayISO();
	const mun = r => { const o = S.orgs[r.org]; return o && LEVEL[o.level] === 'school' ? r.parent : (o && LEVEL[o.level] === 'municipality' ? r.org : (r.parent || r.org)); };
	const section = r => r.kind === 'request' ? 'запросы отчётов' : (r.number || '').split(/[.\s]/)[0] || '—';
	for (const r of t.rows) { r.days = daysBetween(r.due, day); r.mun = mun(r); r.section = section(r); }
	const muns = [...new Set(t.rows.map(r => r.mun))].sort((a, b) => orgName(a).localeCompare(orgName(b), 'ru'));
	const secs = [...new Set(t.rows.map(r => r.section))].sort((a, b) => a.localeCompare(b, 'ru', {numeric: true}));
	const fm = q.get('mun') || '', fs = q.get('sec') || '';
	const setF = (k, v) => { const p = Object.fromEntries(q); p[k] = v; location.hash = link('overdue', p); };
	const selM = el('select', {id: 'f-mun', onchange: e => setF('mun', e.target.value)}, el('option', {value: ''}, 'все муниципалитеты'),
		muns.map(m => el('option', {value: m, selected: m === fm}, orgName(m))));
	const selS = el('select', {id: 'f-sec', onchange: e => setF('sec', e.target.value)}, el('option', {value: ''}, 'все разделы'),
		secs.map(s => el('option', {value: s, selected: s === fs}, s === 'запросы отчётов' || s === '—' ? s : 'раздел ' + s)));
	const rows = t.rows.filter(r => (!fm || r.mun === fm) && (!fs || r.section === fs));
	const cols = [
		{key: 'days', head: 'Дней просрочки', kind: 'int', hot: true},
		{key: 'due', head: 'Срок', kind: 'date'},
		{key: 'org_name', head: 'Организация', kind: 'text', cell: r => el('a', {href: link(S.orgs[r.org] && LEVEL[S.orgs[r.org].level] === 'school' ? 'items' : 'rollup', {scope: r.org})}, r.org_name || r.org)},
		{key: 'mun', head: 'Муниципалитет', kind: 'text', get: r => orgName(r.mun)},
		{key: 'kind', head: 'Что', kind: 'text', csv: r => r.kind === 'request' ? 'отчёт' : 'мероприятие', cell: r => r.kind === 'request' ? 'отчёт' : 'мероприятие'},
		{key: 'number', head: '№', kind: 'text'},
		{key: 'title', head: 'Мероприятие / запрос', kind: 'text'},
		{key: 'state', head: 'Состояние', kind: 'text', csv: r => STATUS_RU[r.state] || SUB_RU[r.state] || r.state, cell: r => STATUS_RU[r.state] || SUB_RU[r.state] || r.state},
	];
	out.push(el('div', {class: 'cards'}, el('div', {class: 'card bad'}, 'Просрочено всего', el('b', {}, fmtInt(t.rows.length))),
		el('div', {class: 'card'}, 'После отбора', el('b', {}, fmtInt(rows.length)))));
	out.push(dataTable('prosrocheno', cols, rows, {sortKey: 'days', sortDir: -1, tools: [selM, selS], rowAttrs: r => ({'data-org': r.org}), xlsx: {name: 'overdue', scope}}));
	return out;
}

async function viewReports() {
	await loadPlans();
	const [rq, sb] = await Promise.all([api('rows', {type: 'report_request'}), api('rows', {type: 'report_submission'})]);
	const out = [el('h1', {}, 'Запросы отчётов'), el('p', {class: 'note'},
		'Запросы и представленные по ним отчёты в их нынешнем состоянии, как их знает локальная копия (последняя синхронизация: ' + (fmtTime(S.lastSync) || 'не было') +
		'); дата «по состоянию на» к этой странице не применяется. Принять или вернуть отчёт — командой karta report.')];
	if (!rq.ok) return out.concat(el('p', {class: 'banner err'}, rq.error));
	const subs = {};
	for (const x of (sb.rows || [])) { (subs[x.row.request_id] = subs[x.row.request_id] || []).push(x.row); }
	const code = id => (S.orgIds && S.orgIds[id]) || ('#' + id);
	const level = r => r.submitter_level || (r.submitters && r.submitters.level) || '';
	const whom = r => [level(r) === 'school' ? 'все ОО' : level(r) === 'municipality' ? 'все муниципалитеты' : '',
		(r.submitter_orgs || []).map(id => orgName(code(id))).join(', '), (r.submitters && r.submitters.groups || []).join(', ')].filter(Boolean).join('; ');
	/* how many organizations are asked: every one of the level below the receiver, named ones; groups are not known here */
	const expected = r => {
		if ((r.submitter_groups || []).length) return null;
		const rc = code(r.receiver_org_id), named = new Set((r.submitter_orgs || []).map(code));
		if (level(r)) for (const o of Object.values(S.orgs)) if (LEVEL[o.level] === level(r) && (o.parent === rc || (S.orgs[o.parent] && S.orgs[o.parent].parent === rc))) named.add(o.code);
		return named.size;
	};
	const rows = rq.rows.map(x => x.row).filter(r => !r.cancelled).map(r => {
		const list = (subs[r.id] || []);
		const latest = {};
		for (const s of list) if (!latest[s.org_id] || s.version_no > latest[s.org_id].version_no) latest[s.org_id] = s;
		const cur = Object.values(latest);
		const n = st => cur.filter(s => st.includes(s.state)).length;
		return {id: r.id, title: r.title, due: r.due_date || r.period_to || '', receiver: code(r.receiver_org_id),
			whom: whom(r), expected: expected(r),
			accepted: n(['accepted']), waiting: n(['submitted', 'resubmitted']), returned: n(['returned']), draft: n(['draft']), subs: cur};
	});
	const cols = [
		{key: 'due', head: 'Срок', kind: 'date'},
		{key: 'title', head: 'Запрос', kind: 'text', cell: r => {
			if (!r.subs.length) return r.title;
			const d = el('details', {}, el('summary', {}, r.title));
			d.append(el('table', {}, el('tr', {}, el('th', {}, 'Организация'), el('th', {}, 'Версия'), el('th', {}, 'Состояние'), el('th', {}, 'Направлен'), el('th', {}, 'Причина возврата')),
				r.subs.sort((a, b) => code(a.org_id).localeCompare(code(b.org_id))).map(s => el('tr', {}, el('td', {}, orgName(code(s.org_id))), el('td', {class: 'n'}, String(s.version_no)),
					el('td', {class: s.state === 'returned' ? 'hot' : ''}, SUB_RU[s.state] || s.state), el('td', {}, fmtTime(s.submitted_at)), el('td', {}, s.return_reason || '')))));
			return d;
		}},
		{key: 'receiver', head: 'Получатель', kind: 'text', get: r => orgName(r.receiver)},
		{key: 'whom', head: 'От кого', kind: 'text'},
		{key: 'expected', head: 'Ожидается', kind: 'int', sep: true},
		{key: 'missing', head: 'Не представлено', kind: 'int', hot: true, get: r => r.expected === null ? null : Math.max(0, r.expected - r.accepted - r.waiting)},
		{key: 'accepted', head: 'Принято', kind: 'int'},
		{key: 'waiting', head: 'Ждут решения', kind: 'int'},
		{key: 'returned', head: 'Возвращено', kind: 'int', hot: true},
		{key: 'draft', head: 'Черновики', kind: 'int'},
	];
	out.push(dataTable('zaprosy-otchetov', cols, rows, {sortKey: 'due', sortDir: 1, rowAttrs: r => ({'data-request': r.id})}));
	return out;
}

async function viewExams(scope, q) {
	const [ex, pts] = await Promise.all([api('rows', {type: 'exam'}), api('rows', {type: 'exam_point'})]);
	const ppe = {};
	for (const x of (pts.rows || [])) if (x.row.code) ppe[x.row.code] = x.row.name || '';
	const exams = (ex.rows || []).map(x => x.row).filter(e => !e.deleted_at).sort((a, b) => (a.exam_date + a.subject_code).localeCompare(b.exam_date + b.subject_code));
	const out = [el('h1', {}, 'Планирование экзаменов'), el('p', {class: 'note'}, 'Контрольные отчёты К-02 (распределение участников по муниципалитетам) и К-06 (готовность ППЭ); нехватка — красным.')];
	if (!exams.length) return out.concat(el('p', {}, 'В локальной копии нет экзаменов (karta sync).'));
	const cur = q.get('exam') || exams[0].id;
	out.push(el('div', {class: 'tools'}, 'Экзамен: ', el('select', {id: 'f-exam', onchange: e => { location.hash = link('exams', {exam: e.target.value}); }},
		exams.map(e => el('option', {value: e.id, selected: e.id === cur}, `${fmtDate(e.exam_date)} — ${e.subject_name || 'предмет ' + e.subject_code} (ГИА-${e.gia})`)))));
	const [k02, k06] = await Promise.all([serverTable({name: 'k02', exam: cur}), serverTable({name: 'k06', exam: cur})]);
	/* the server's own "total" row becomes the table's ИТОГО (not summed again) */
	const withTotal = (rows, keys) => {
		const t = rows.find(r => r[keys[0]] === 'total');
		return {rows: rows.filter(r => r !== t), total: t ? () => t : l => sumRows(l, keys.slice(1))};
	};
	out.push(el('h2', {}, 'К-02: распределение по муниципалитетам'));
	if (!k02.rows) out.push(failNote(k02));
	else { const k = withTotal(k02.rows, ['municipality', 'registered', 'distributed', 'not_distributed', 'points']); out.push(dataTable('k02', [
		{key: 'municipality', head: 'Муниципалитет', kind: 'text', get: r => orgName(r.municipality)},
		{key: 'registered', head: 'Зарегистрировано', kind: 'int'},
		{key: 'distributed', head: 'Распределено', kind: 'int'},
		{key: 'not_distributed', head: 'Не распределено', kind: 'int', hot: true},
		{key: 'points', head: 'ППЭ', kind: 'int'}], k.rows, {total: k.total, totalAlways: true, xlsx: {name: 'k02', exam: cur}})); }
	out.push(el('h2', {}, 'К-06: готовность ППЭ'));
	if (!k06.rows) out.push(failNote(k06));
	else { const k = withTotal(k06.rows, ['point', 'shortage', 'not_distributed', 'unseated', 'organizers_needed', 'organizers', 'organizers_missing', 'heads', 'heads_missing']); out.push(dataTable('k06', [
		{key: 'point', head: 'ППЭ', kind: 'text', get: r => r.point + (ppe[r.point] ? ' — ' + ppe[r.point] : '')},
		{key: 'shortage', head: 'Нехватка мест', kind: 'int', hot: true},
		{key: 'not_distributed', head: 'Не распределено', kind: 'int', hot: true},
		{key: 'unseated', head: 'Не рассажено', kind: 'int', hot: true},
		{key: 'organizers_needed', head: 'Организаторов нужно', kind: 'int', sep: true},
		{key: 'organizers', head: 'Назначено', kind: 'int'},
		{key: 'organizers_missing', head: 'Не хватает организаторов', kind: 'int', hot: true},
		{key: 'heads', head: 'Руководителей ППЭ', kind: 'int', sep: true},
		{key: 'heads_missing', head: 'Нет руководителя', kind: 'int', hot: true}], k.rows,
		{rowAttrs: r => ({'data-point': r.point}), total: k.total, totalAlways: true, xlsx: {name: 'k06', exam: cur}})); }
	return out;
}

/* ---- start ---- */

async function start() {
	const [st, orgs] = await Promise.all([api('state'), api('orgs')]);
	if (!st.ok) { document.getElementById('main').replaceChildren(el('p', {class: 'banner err'}, st.error)); return; }
	S.me = {org: st.org, level: st.level, levelName: LEVEL[st.level] || 'region'};
	S.lastSync = st.last_sync;
	for (const o of (orgs.orgs || [])) S.orgs[o.code] = o;
	document.getElementById('who').textContent = '— ' + orgName(st.org);
	setOnline(st.online);
	const asof = document.getElementById('asof');
	const fromUrl = new URLSearchParams(location.search).get('as_of');
	S.asOf = fromUrl && /^\d{4}-\d\d-\d\d$/.test(fromUrl) ? fromUrl : '';
	asof.value = fmtDate(S.asOf || todayISO());
	asof.addEventListener('change', () => { /* дд.мм.гггг → the day; a wrong one is marked, not sent */
		const m = /^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$/.exec(asof.value);
		const iso = m ? `${m[3]}-${m[2].padStart(2, '0')}-${m[1].padStart(2, '0')}` : '';
		const ok = iso && !isNaN(Date.parse(iso)) && fmtDate(new Date(Date.parse(iso)).toISOString()) === fmtDate(iso);
		asof.classList.toggle('bad', !ok);
		if (!ok) return;
		S.asOf = iso === todayISO() ? '' : iso;
		asof.value = fmtDate(iso);
		render();
	});
	document.getElementById('today').addEventListener('click', () => { asof.value = fmtDate(todayISO()); asof.classList.remove('bad'); S.asOf = ''; render(); });
	if (S.me.levelName === 'school' && !location.hash) location.hash = link('items', {});
	window.addEventListener('hashchange', render);
	render();
}
start();
