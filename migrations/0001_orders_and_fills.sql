CREATE TABLE `fills` (
	`id` text PRIMARY KEY NOT NULL,
	`order_id` text NOT NULL,
	`user_id` text NOT NULL,
	`symbol` text NOT NULL,
	`venue` text NOT NULL,
	`side` text NOT NULL,
	`quantity` text NOT NULL,
	`price` text NOT NULL,
	`fee` text NOT NULL,
	`fee_currency` text NOT NULL,
	`liquidity` text NOT NULL,
	`timestamp` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `fills_user_time_idx` ON `fills` (`user_id`,`timestamp`);--> statement-breakpoint
CREATE INDEX `fills_order_idx` ON `fills` (`order_id`);--> statement-breakpoint
CREATE TABLE `orders` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`client_order_id` text,
	`symbol` text NOT NULL,
	`venue` text NOT NULL,
	`side` text NOT NULL,
	`order_type` text NOT NULL,
	`time_in_force` text NOT NULL,
	`quantity` text NOT NULL,
	`price` text,
	`stop_price` text,
	`status` text NOT NULL,
	`reject_reason` text,
	`filled_quantity` text NOT NULL,
	`filled_value` text NOT NULL,
	`fee` text NOT NULL,
	`fee_currency` text NOT NULL,
	`trade_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "orders_side_check" CHECK("orders"."side" IN ('BUY', 'SELL'))
);
--> statement-breakpoint
CREATE INDEX `orders_user_created_idx` ON `orders` (`user_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `orders_status_idx` ON `orders` (`status`);