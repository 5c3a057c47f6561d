CREATE TABLE `equity_snapshots` (
	`user_id` text NOT NULL,
	`day` text NOT NULL,
	`equity_krw` real,
	`cash_krw` real NOT NULL,
	`cash_usdt` real NOT NULL,
	`usdt_krw` real,
	`positions` text NOT NULL,
	`stale` integer NOT NULL,
	`taken_at` integer NOT NULL,
	PRIMARY KEY(`user_id`, `day`),
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
