package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"salesbot/models"
)

type contactRow struct {
	ID        int64 `gorm:"primaryKey"`
	ClientID  int64
	Name      string
	Title     string
	Phone     string
	Roles     string // comma-separated decision roles
	CreatedAt time.Time
	UpdatedAt time.Time
	// DeletedAt marks a contact deleted from the card: it is no longer
	// listed or matched by name, and the visits that met it still name it.
	DeletedAt *time.Time
	// EditedAt is when the card last changed the contact (UpdateContact).
	EditedAt *time.Time
}

func (contactRow) TableName() string { return "contacts" }

func (r *contactRow) model() models.Contact {
	c := models.Contact{ID: r.ID, ClientID: r.ClientID, Name: r.Name, Title: r.Title, Phone: r.Phone}
	for _, s := range strings.Split(r.Roles, ",") {
		if s != "" {
			c.Roles = append(c.Roles, models.DecisionRole(s))
		}
	}
	return c
}

// rolesString stores known roles in the catalogue's order.
func rolesString(roles []models.DecisionRole) string {
	rs := models.AddRoles(nil, roles...)
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

// Contacts lists a client's contacts by name (index on client_id), when
// viewer may see the client; none otherwise.
func (db *DB) Contacts(ctx context.Context, viewer *models.User, clientID int64) ([]models.Contact, error) {
	var rows []contactRow
	if err := contactsQuery(db.conn(ctx), viewer, clientID).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list contacts of client %d: %w", clientID, err)
	}
	out := make([]models.Contact, len(rows))
	for i := range rows {
		out[i] = rows[i].model()
	}
	return out, nil
}

// contactsQuery is a client's contacts by name, joined to the client so
// the one visibility rule applies.
func contactsQuery(tx *gorm.DB, viewer *models.User, clientID int64) *gorm.DB {
	cond, args := clientScope(viewer, "clients")
	return tx.Table("contacts").Select("contacts.*").
		Joins("JOIN clients ON clients.id = contacts.client_id").
		Where("contacts.client_id = ? AND contacts.deleted_at IS NULL", clientID).Where(cond, args...).
		Order("contacts.name, contacts.id")
}

// Contact returns a live contact, when viewer may see its client.
func (db *DB) Contact(ctx context.Context, viewer *models.User, id int64) (*models.Contact, error) {
	cond, args := clientScope(viewer, "clients")
	var row contactRow
	err := db.conn(ctx).Table("contacts").Select("contacts.*").
		Joins("JOIN clients ON clients.id = contacts.client_id").
		Where("contacts.id = ? AND contacts.deleted_at IS NULL", id).Where(cond, args...).Take(&row).Error
	if err != nil {
		return nil, fmt.Errorf("get contact %d: %w", id, translate(err, "err_contact_gone", ""))
	}
	c := row.model()
	return &c, nil
}

// UpdateContact replaces a live contact's name, title, phone and roles
// (the card's Edit; SaveContact only adds to them).
func (db *DB) UpdateContact(ctx context.Context, c *models.Contact) error {
	if err := c.Validate(); err != nil {
		return err
	}
	return db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&contactRow{}).Where("id = ? AND client_id = ? AND deleted_at IS NULL", c.ID, c.ClientID).Updates(map[string]any{
			"name": c.Name, "title": c.Title, "phone": c.Phone, "roles": rolesString(c.Roles), "updated_at": db.Now(), "edited_at": db.Now(),
		})
		if res.Error != nil {
			return fmt.Errorf("update contact %d: %w", c.ID, res.Error)
		}
		if res.RowsAffected == 0 {
			return models.Errorf(models.ENOTFOUND, "err_contact_gone", nil)
		}
		return nil
	})
}

// DeleteContact deletes a live contact from its client's list; the visits
// that met it keep naming it. It reports whether the contact was live.
func (db *DB) DeleteContact(ctx context.Context, id int64) (bool, error) {
	var n int64
	err := db.tx(ctx, func(tx *gorm.DB) error {
		res := tx.Model(&contactRow{}).Where("id = ? AND deleted_at IS NULL", id).
			Updates(map[string]any{"deleted_at": db.Now(), "updated_at": db.Now()})
		n = res.RowsAffected
		return res.Error
	})
	if err != nil {
		return false, fmt.Errorf("delete contact %d: %w", id, err)
	}
	return n > 0, nil
}

// ContactVisits counts the live visits that met a contact, for the
// question before it is deleted.
func (db *DB) ContactVisits(ctx context.Context, id int64) (int64, error) {
	var n int64
	err := db.conn(ctx).Table("visit_contacts").Joins("JOIN visits ON visits.id = visit_contacts.visit_id").
		Where("visit_contacts.contact_id = ? AND visits.deleted_at IS NULL", id).Count(&n).Error
	if err != nil {
		return 0, fmt.Errorf("count visits of contact %d: %w", id, err)
	}
	return n, nil
}

// SaveContact adds a contact to a client, or, for a name the client has
// already, adds the roles to that contact (and a title or phone it lacked).
func (db *DB) SaveContact(ctx context.Context, c *models.Contact) error {
	return db.tx(ctx, func(tx *gorm.DB) error { return saveContact(tx, c) })
}

// saveContact is SaveContact inside a transaction; c.ID set means that
// contact (which must belong to c.ClientID).
func saveContact(tx *gorm.DB, c *models.Contact) error {
	if c.ID == 0 || c.Name != "" {
		if err := c.Validate(); err != nil {
			return err
		}
	}
	var existing contactRow
	q := tx.Where("client_id = ?", c.ClientID)
	if c.ID != 0 {
		q = q.Where("id = ?", c.ID)
	} else {
		// Names match folded, as client names do ("wang" is "Wang"); a
		// deleted contact is not matched.
		var rows []contactRow
		if err := tx.Where("client_id = ? AND deleted_at IS NULL", c.ClientID).Find(&rows).Error; err != nil {
			return fmt.Errorf("find contacts of client %d: %w", c.ClientID, err)
		}
		for _, r := range rows {
			if models.Fold(r.Name) == models.Fold(c.Name) {
				q = tx.Where("id = ?", r.ID)
				c.ID = r.ID
			}
		}
	}
	if c.ID == 0 {
		row := contactRow{ClientID: c.ClientID, Name: c.Name, Title: c.Title, Phone: c.Phone, Roles: rolesString(c.Roles)}
		if err := tx.Create(&row).Error; err != nil {
			return fmt.Errorf("add contact %q to client %d: %w", c.Name, c.ClientID, err)
		}
		*c = row.model()
		return nil
	}
	if err := q.Take(&existing).Error; err != nil {
		return fmt.Errorf("get contact %d of client %d: %w", c.ID, c.ClientID, translate(err, "err_contact_gone", ""))
	}
	merged := existing.model()
	merged.Roles = models.AddRoles(merged.Roles, c.Roles...)
	if merged.Title == "" {
		merged.Title = c.Title
	}
	if merged.Phone == "" {
		merged.Phone = c.Phone
	}
	err := tx.Model(&contactRow{}).Where("id = ?", existing.ID).Updates(map[string]any{
		"roles": rolesString(merged.Roles), "title": merged.Title, "phone": merged.Phone, "updated_at": tx.NowFunc(),
	}).Error
	if err != nil {
		return fmt.Errorf("update contact %d: %w", existing.ID, err)
	}
	*c = merged
	return nil
}

// contactsByID is q's contacts whose idCol is in ids, in the order of ids.
func contactsByID(q *gorm.DB, idCol string, ids []int64) ([]models.Contact, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []contactRow
	if err := q.Where(idCol+" IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("load contacts %v: %w", ids, err)
	}
	byID := map[int64]models.Contact{}
	for i := range rows {
		byID[rows[i].ID] = rows[i].model()
	}
	var out []models.Contact
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}
