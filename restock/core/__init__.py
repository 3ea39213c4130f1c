"""What every part of restock shares: settings, database access, migrations, clock."""
